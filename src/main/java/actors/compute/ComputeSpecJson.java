package actors.compute;

import actors.compute.ComputeSpec.DatabaseSpec;
import actors.compute.ComputeSpec.GenericOption;
import actors.compute.ComputeSpec.Pageserver;
import actors.compute.ComputeSpec.RoleSpec;
import actors.proposer.ProposerSettings;
import actors.proposer.ProposerSettings.Endpoint;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import wire.xlog.Lsn;

/**
 * Reads the configuration document {@code {"spec": {...}, "compute_ctl_config": {...}}} of
 * /configure and spec.json. Unknown fields are ignored (newer control planes send more); every
 * field Strata uses is checked, and the first problem is an {@link InvalidSpec} naming its path.
 */
public final class ComputeSpecJson {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-fA-F]{32}");
  private static final Pattern GUC_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
  private static final Pattern OPTION_NAME = Pattern.compile("[A-Za-z_][A-Za-z_ ]*");
  private static final Pattern MD5_HASH = Pattern.compile("md5[0-9a-f]{32}");
  private static final int MAX_NAME_BYTES = 63;

  private ComputeSpecJson() {}

  /** Parses a document from text; malformed JSON is an InvalidSpec too. */
  public static ComputeSpec parse(String text) {
    JsonNode doc;
    try {
      doc = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidSpec("body", "malformed JSON: " + e.getOriginalMessage());
    }
    if (doc == null || doc.isMissingNode()) throw new InvalidSpec("body", "is empty");
    return parse(doc);
  }

  public static ComputeSpec parse(JsonNode doc) {
    if (!doc.isObject()) throw new InvalidSpec("body", "must be a JSON object, got " + kind(doc));
    JsonNode spec = doc.get("spec");
    if (spec == null || spec.isNull()) throw new InvalidSpec("spec", "is missing");
    if (!spec.isObject()) throw new InvalidSpec("spec", "must be an object, got " + kind(spec));

    String tenant = id(spec, "tenant_id");
    String timeline = id(spec, "timeline_id");
    ComputeMode mode = mode(spec.get("mode"));
    List<Endpoint> safekeepers = safekeepers(spec.get("safekeeper_connstrings"), mode);
    Pageserver pageserver = pageserver(spec);

    JsonNode cluster = spec.get("cluster");
    if (cluster != null && !cluster.isNull() && !cluster.isObject()) {
      throw new InvalidSpec("spec.cluster", "must be an object, got " + kind(cluster));
    }
    JsonNode c = cluster == null || cluster.isNull() ? MAPPER.createObjectNode() : cluster;
    List<RoleSpec> roles = list(c.get("roles"), "spec.cluster.roles", ComputeSpecJson::role);
    unique(roles.stream().map(RoleSpec::name).toList(), "spec.cluster.roles", "role");
    List<DatabaseSpec> databases = list(c.get("databases"), "spec.cluster.databases", ComputeSpecJson::database);
    unique(databases.stream().map(DatabaseSpec::name).toList(), "spec.cluster.databases", "database");
    String conf = optionalText(c, "postgresql_conf", "spec.cluster.postgresql_conf").orElse("");
    List<GenericOption> settings = list(c.get("settings"), "spec.cluster.settings", ComputeSpecJson::setting);

    long suspend = -1;
    JsonNode s = spec.get("suspend_timeout_seconds");
    if (s != null && !s.isNull()) {
      if (!s.isIntegralNumber()) throw new InvalidSpec("spec.suspend_timeout_seconds", "must be an integer, got " + kind(s));
      suspend = s.asLong();
      if (suspend < -1) throw new InvalidSpec("spec.suspend_timeout_seconds", suspend + " is below -1 (never suspend)");
    }
    boolean skip = false;
    JsonNode k = spec.get("skip_pg_catalog_updates");
    if (k != null && !k.isNull()) {
      if (!k.isBoolean()) throw new InvalidSpec("spec.skip_pg_catalog_updates", "must be true or false, got " + kind(k));
      skip = k.asBoolean();
    }
    return new ComputeSpec(tenant.toLowerCase(java.util.Locale.ROOT), timeline.toLowerCase(java.util.Locale.ROOT), mode,
        safekeepers, pageserver, roles, databases, conf, settings, suspend, skip, doc.deepCopy());
  }

  /** The document as spec.json stores it. */
  public static String write(ComputeSpec spec) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(spec.document());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON tree always writes", e);
    }
  }

  private static String id(JsonNode spec, String field) {
    String v = optionalText(spec, field, "spec." + field).orElseThrow(() -> new InvalidSpec("spec." + field, "is missing"));
    if (!HEX_ID.matcher(v).matches()) throw new InvalidSpec("spec." + field, "'" + v + "' is not 32 hex characters");
    return v;
  }

  private static ComputeMode mode(JsonNode m) {
    if (m == null || m.isNull()) return new ComputeMode.Primary();
    if (m.isTextual()) {
      if (m.asText().equals("Primary")) return new ComputeMode.Primary();
      if (m.asText().equals("Replica")) return new ComputeMode.Replica();
      throw new InvalidSpec("spec.mode", "'" + m.asText() + "' is not \"Primary\", \"Replica\" or {\"Static\": \"X/Y\"}");
    }
    if (m.isObject() && m.size() == 1 && m.has("Static")) {
      JsonNode lsn = m.get("Static");
      if (!lsn.isTextual()) throw new InvalidSpec("spec.mode.Static", "must be an LSN string X/Y, got " + kind(lsn));
      Lsn at;
      try {
        at = Lsn.parse(lsn.asText());
      } catch (IllegalArgumentException e) {
        throw new InvalidSpec("spec.mode.Static", e.getMessage());
      }
      if (!at.isValid()) throw new InvalidSpec("spec.mode.Static", "LSN 0/0 names no point in the timeline's history");
      return new ComputeMode.Static(at);
    }
    throw new InvalidSpec("spec.mode", m + " is not \"Primary\", \"Replica\" or {\"Static\": \"X/Y\"}");
  }

  private static List<Endpoint> safekeepers(JsonNode list, ComputeMode mode) {
    String path = "spec.safekeeper_connstrings";
    List<Endpoint> out = list(list, path, (item, at) -> {
      if (!item.isTextual()) throw new InvalidSpec(at, "must be a host:port string, got " + kind(item));
      List<Endpoint> one;
      try {
        one = ProposerSettings.parseSafekeepers(item.asText());
      } catch (IllegalArgumentException e) {
        throw new InvalidSpec(at, e.getMessage());
      }
      if (one.size() != 1) throw new InvalidSpec(at, "'" + item.asText() + "' names " + one.size() + " safekeepers; give one per entry");
      return one.get(0);
    });
    unique(out.stream().map(Endpoint::toString).toList(), path, "safekeeper");
    if (mode.isPrimary() && out.isEmpty()) throw new InvalidSpec(path, "a primary needs at least one safekeeper");
    if (out.size() > 32) throw new InvalidSpec(path, out.size() + " safekeepers listed; at most 32 are allowed");
    return out;
  }

  private static Pageserver pageserver(JsonNode spec) {
    String path = "spec.pageserver_connstring";
    String text = optionalText(spec, "pageserver_connstring", path).orElseThrow(() -> new InvalidSpec(path, "is missing"));
    if (text.contains(",")) throw new InvalidSpec(path, "'" + text + "' names several pageservers; sharded tenants are not supported");
    URI uri = uri(text, path);
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new InvalidSpec(path, "'" + text + "' must start with postgresql://");
    }
    if (uri.getHost() == null || uri.getPort() <= 0) throw new InvalidSpec(path, "'" + text + "' has no host:port");
    String user = "compute";
    Optional<String> password = Optional.empty();
    String info = uri.getRawUserInfo();
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
      if (colon >= 0) password = Optional.of(URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8));
    }
    String httpPath = "spec.pageserver_http_url";
    String httpText = optionalText(spec, "pageserver_http_url", httpPath).orElseThrow(() -> new InvalidSpec(httpPath, "is missing"));
    URI http = uri(httpText, httpPath);
    if (!"http".equals(http.getScheme()) && !"https".equals(http.getScheme())) {
      throw new InvalidSpec(httpPath, "'" + httpText + "' must start with http:// or https://");
    }
    if (http.getHost() == null) throw new InvalidSpec(httpPath, "'" + httpText + "' has no host");
    return new Pageserver(uri.getHost(), uri.getPort(), user, password, http);
  }

  private static RoleSpec role(JsonNode r, String at) {
    object(r, at);
    String name = name(r, "name", at);
    Optional<String> password = optionalText(r, "encrypted_password", at + ".encrypted_password");
    if (password.isPresent()) {
      String p = password.get();
      if (p.matches("[0-9a-f]{32}")) {
        password = Optional.of("md5" + p);   // compute_ctl's convention: a bare digest is an MD5 hash
      } else if (!p.startsWith("SCRAM-SHA-256$") && !MD5_HASH.matcher(p).matches()) {
        throw new InvalidSpec(at + ".encrypted_password", "is neither a SCRAM-SHA-256 verifier nor an MD5 hash"
            + " (a clear-text password is never accepted)");
      }
    }
    return new RoleSpec(name, password, options(r.get("options"), at + ".options"));
  }

  private static DatabaseSpec database(JsonNode d, String at) {
    object(d, at);
    return new DatabaseSpec(name(d, "name", at), name(d, "owner", at), options(d.get("options"), at + ".options"));
  }

  private static GenericOption setting(JsonNode s, String at) {
    GenericOption o = option(s, at);
    if (!GUC_NAME.matcher(o.name()).matches()) throw new InvalidSpec(at + ".name", "'" + o.name() + "' is not a setting name");
    if (o.value().isEmpty()) throw new InvalidSpec(at + ".value", "is missing; a setting needs a value");
    if (o.value().get().contains("\n")) throw new InvalidSpec(at + ".value", "contains a line break");
    return o;
  }

  private static List<GenericOption> options(JsonNode list, String path) {
    return list(list, path, (o, at) -> {
      GenericOption opt = option(o, at);
      if (!OPTION_NAME.matcher(opt.name()).matches()) throw new InvalidSpec(at + ".name", "'" + opt.name() + "' is not an option keyword");
      return opt;
    });
  }

  private static GenericOption option(JsonNode o, String at) {
    object(o, at);
    String name = optionalText(o, "name", at + ".name").orElseThrow(() -> new InvalidSpec(at + ".name", "is missing"));
    Optional<String> value = optionalText(o, "value", at + ".value");
    String vartype = optionalText(o, "vartype", at + ".vartype").orElse("string");
    return new GenericOption(name, value, vartype);
  }

  private static String name(JsonNode parent, String field, String at) {
    String v = optionalText(parent, field, at + "." + field).orElseThrow(() -> new InvalidSpec(at + "." + field, "is missing"));
    if (v.isEmpty()) throw new InvalidSpec(at + "." + field, "is empty");
    int bytes = v.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) throw new InvalidSpec(at + "." + field, "'" + v + "' is " + bytes + " bytes; PostgreSQL names have at most 63");
    if (v.indexOf('\0') >= 0) throw new InvalidSpec(at + "." + field, "contains a NUL character");
    return v;
  }

  private static <T> List<T> list(JsonNode node, String path, BiFunction<JsonNode, String, T> item) {
    if (node == null || node.isNull()) return List.of();
    if (!node.isArray()) throw new InvalidSpec(path, "must be an array, got " + kind(node));
    List<T> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) out.add(item.apply(node.get(i), path + "[" + i + "]"));
    return out;
  }

  private static void unique(List<String> names, String path, String what) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      if (!seen.add(names.get(i))) throw new InvalidSpec(path + "[" + i + "]", what + " '" + names.get(i) + "' is listed twice");
    }
  }

  private static Optional<String> optionalText(JsonNode parent, String field, String path) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) return Optional.empty();
    if (!v.isTextual()) throw new InvalidSpec(path, "must be a string, got " + kind(v));
    return Optional.of(v.asText());
  }

  private static void object(JsonNode n, String at) {
    if (!n.isObject()) throw new InvalidSpec(at, "must be an object, got " + kind(n));
  }

  private static URI uri(String text, String path) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new InvalidSpec(path, "'" + text + "' is not a URL: " + e.getReason());
    }
  }

  private static String kind(JsonNode n) {
    return switch (n.getNodeType()) {
      case STRING -> "the string " + n;
      case NUMBER -> "the number " + n;
      case BOOLEAN -> n.asText();
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
