package store.layer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import wire.xlog.Lsn;

/**
 * A timeline's {@code index_part.json} in object storage (reference pageserver.md §7.2): the only
 * truth about which remote layers make up the timeline, with everything needed to rebuild its
 * {@link TimelineMetadata} on an empty disk. Shape, LSNs as {@code X/Y}:
 * <pre>
 * { "version": 1,
 *   "layer_metadata": { "&lt;layer&gt;": { "file_size": N, "generation": G }, … },
 *   "disk_consistent_lsn": "0/16960E8",
 *   "metadata": { "disk_consistent_lsn", "prev_record_lsn", "ancestor_timeline" (id or null), "ancestor_lsn",
 *                 "latest_gc_cutoff_lsn", "initdb_lsn", "pg_version" },
 *   "timeline_name": "main" or null }
 * </pre>
 *
 * @param metadata its layer list is always the names of {@code layers}, sorted
 * @param layers   layer name → its size and the generation whose object holds it
 * @param name     the timeline's name within its tenant, or null
 */
public record IndexPart(TimelineMetadata metadata, SortedMap<String, RemoteLayer> layers, String name) {
  public static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A layer as the index knows it: the object is {@code <layer>-<generation>}. */
  public record RemoteLayer(long fileSize, long generation) {
    public RemoteLayer {
      if (fileSize < 0) throw new IllegalArgumentException("layer file size " + fileSize + " is negative");
      RemoteLayout.gen(generation);
    }
  }

  /** An index that cannot be read: names where it came from and what is wrong. */
  public static final class Malformed extends IOException {
    public Malformed(String source, String problem) {
      super("malformed " + RemoteLayout.INDEX_NAME + " " + source + ": " + problem);
    }
  }

  public IndexPart {
    layers = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(layers));
    metadata = metadata.withLayers(new ArrayList<>(layers.keySet()));
  }

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ObjectNode lm = root.putObject("layer_metadata");
    for (Map.Entry<String, RemoteLayer> e : layers.entrySet()) {
      lm.putObject(e.getKey()).put("file_size", e.getValue().fileSize()).put("generation", e.getValue().generation());
    }
    root.put("disk_consistent_lsn", lsn(metadata.diskConsistentLsn()));
    ObjectNode md = root.putObject("metadata");
    md.put("disk_consistent_lsn", lsn(metadata.diskConsistentLsn()));
    md.put("prev_record_lsn", lsn(metadata.prevRecordLsn()));
    md.put("ancestor_timeline", metadata.ancestorTimelineId());
    md.put("ancestor_lsn", lsn(metadata.ancestorLsn()));
    md.put("latest_gc_cutoff_lsn", lsn(metadata.latestGcCutoffLsn()));
    md.put("initdb_lsn", lsn(metadata.initdbLsn()));
    md.put("pg_version", metadata.pgVersion());
    root.put("timeline_name", name);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an index as JSON", e);
    }
  }

  /** Reads an index; anything missing, mistyped or inconsistent is {@link Malformed}, naming {@code source} and the field. */
  public static IndexPart parse(String source, byte[] json) throws Malformed {
    JsonNode root;
    try {
      root = JSON.readTree(new String(json, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new Malformed(source, "not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) throw new Malformed(source, "not a JSON object");
    int version = (int) number(source, root, "version");
    if (version != VERSION) throw new Malformed(source, "version " + version + ", this build reads version " + VERSION);
    JsonNode lm = object(source, root, "layer_metadata");
    SortedMap<String, RemoteLayer> layers = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = lm.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = "layer_metadata." + e.getKey();
      if (LayerName.tryParse(e.getKey()) == null) throw new Malformed(source, "'" + e.getKey() + "' in layer_metadata is not a layer name");
      if (!e.getValue().isObject()) throw new Malformed(source, where + " is not an object");
      try {
        layers.put(e.getKey(), new RemoteLayer(number(source, e.getValue(), where, "file_size"),
            number(source, e.getValue(), where, "generation")));
      } catch (IllegalArgumentException bad) {
        throw new Malformed(source, where + ": " + bad.getMessage());
      }
    }
    JsonNode md = object(source, root, "metadata");
    long dcl = lsn(source, md, "metadata", "disk_consistent_lsn");
    if (lsn(source, root, null, "disk_consistent_lsn") != dcl) {
      throw new Malformed(source, "disk_consistent_lsn " + root.get("disk_consistent_lsn").asText() + " differs from metadata.disk_consistent_lsn "
          + md.get("disk_consistent_lsn").asText());
    }
    JsonNode ancestor = md.get("ancestor_timeline");
    if (ancestor == null) throw new Malformed(source, "metadata.ancestor_timeline is missing");
    if (!ancestor.isNull() && !ancestor.isTextual()) throw new Malformed(source, "metadata.ancestor_timeline is not a string or null");
    JsonNode name = root.get("timeline_name");
    if (name != null && !name.isNull() && !name.isTextual()) throw new Malformed(source, "timeline_name is not a string or null");
    try {
      TimelineMetadata m = new TimelineMetadata(dcl, lsn(source, md, "metadata", "prev_record_lsn"), ancestor.isNull() ? null : ancestor.asText(),
          lsn(source, md, "metadata", "ancestor_lsn"), lsn(source, md, "metadata", "latest_gc_cutoff_lsn"), lsn(source, md, "metadata", "initdb_lsn"),
          (int) number(source, md, "metadata", "pg_version"), new ArrayList<>(layers.keySet()));
      return new IndexPart(m, layers, name == null || name.isNull() ? null : name.asText());
    } catch (IllegalArgumentException bad) {
      throw new Malformed(source, bad.getMessage());
    }
  }

  private static String lsn(long value) {
    return Lsn.of(value).toString();
  }

  private static JsonNode object(String source, JsonNode parent, String field) throws Malformed {
    JsonNode n = parent.get(field);
    if (n == null) throw new Malformed(source, "field '" + field + "' is missing");
    if (!n.isObject()) throw new Malformed(source, "field '" + field + "' is not an object");
    return n;
  }

  private static long number(String source, JsonNode parent, String field) throws Malformed {
    return number(source, parent, null, field);
  }

  private static long number(String source, JsonNode parent, String where, String field) throws Malformed {
    String path = where == null ? field : where + "." + field;
    JsonNode n = parent.get(field);
    if (n == null) throw new Malformed(source, "field '" + path + "' is missing");
    if (!n.isIntegralNumber() || n.asLong() < 0) throw new Malformed(source, "field '" + path + "' is not a non-negative integer: " + n);
    return n.asLong();
  }

  private static long lsn(String source, JsonNode parent, String where, String field) throws Malformed {
    String path = where == null ? field : where + "." + field;
    JsonNode n = parent.get(field);
    if (n == null) throw new Malformed(source, "field '" + path + "' is missing");
    try {
      return Lsn.parse(n.asText()).value();
    } catch (IllegalArgumentException e) {
      throw new Malformed(source, "field '" + path + "' is not an LSN X/Y: " + n);
    }
  }
}
