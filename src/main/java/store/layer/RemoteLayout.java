package store.layer;

import java.util.Locale;

/**
 * Object names of a pageserver's backup in object storage (ARCHITECTURE.md §6, reference
 * pageserver.md §7.1). Every object a pageserver writes carries the generation of its attachment
 * as 8 hex digits, so two pageservers attached to one tenant never overwrite each other's objects:
 * <pre>
 * tenants/&lt;tenant&gt;/attach-&lt;gen&gt;                                  written when an attachment starts
 * tenants/&lt;tenant&gt;/timelines/&lt;timeline&gt;/&lt;layer&gt;-&lt;gen&gt;            layer files, immutable
 * tenants/&lt;tenant&gt;/timelines/&lt;timeline&gt;/index_part.json-&lt;gen&gt;   the timeline's index of that generation
 * </pre>
 */
public final class RemoteLayout {
  public static final String INDEX_NAME = "index_part.json";
  private static final String ATTACH_NAME = "attach";

  private RemoteLayout() {}

  /** What an object under a tenant's prefix is. */
  public enum Kind { ATTACH_MARKER, INDEX, LAYER }

  /**
   * An object key taken apart.
   *
   * @param timelineId null for the attach marker
   * @param layerName  the layer file's local name, for layers only
   */
  public record Parsed(Kind kind, String tenantId, String timelineId, String layerName, long generation) {}

  public static String tenantPrefix(String tenantId) {
    return "tenants/" + tenantId + "/";
  }

  public static String timelinePrefix(String tenantId, String timelineId) {
    return tenantPrefix(tenantId) + "timelines/" + timelineId + "/";
  }

  public static String layerKey(String tenantId, String timelineId, String layerName, long generation) {
    return timelinePrefix(tenantId, timelineId) + layerName + "-" + gen(generation);
  }

  public static String indexKey(String tenantId, String timelineId, long generation) {
    return timelinePrefix(tenantId, timelineId) + INDEX_NAME + "-" + gen(generation);
  }

  public static String attachMarkerKey(String tenantId, long generation) {
    return tenantPrefix(tenantId) + ATTACH_NAME + "-" + gen(generation);
  }

  /** A generation as it appears in object names: 8 lower-case hex digits. */
  public static String gen(long generation) {
    if (generation < 1 || generation > 0xFFFF_FFFFL) throw new IllegalArgumentException("generation " + generation + " is not in 1..2^32-1");
    return String.format(Locale.ROOT, "%08x", generation);
  }

  /** Takes an object key apart; null when it is not one of the names above (another tool's object). */
  public static Parsed parse(String key) {
    String[] parts = key.split("/", -1);
    if (parts.length < 3 || !parts[0].equals("tenants") || !isId(parts[1])) return null;
    if (parts.length == 3) {
      long g = suffixGeneration(parts[2], ATTACH_NAME);
      return g < 0 ? null : new Parsed(Kind.ATTACH_MARKER, parts[1], null, null, g);
    }
    if (parts.length != 5 || !parts[2].equals("timelines") || !isId(parts[3])) return null;
    String file = parts[4];
    int dash = file.lastIndexOf('-');
    if (dash < 0) return null;
    String base = file.substring(0, dash);
    long g = suffixGeneration(file, base);
    if (g < 0) return null;
    if (base.equals(INDEX_NAME)) return new Parsed(Kind.INDEX, parts[1], parts[3], null, g);
    if (LayerName.tryParse(base) == null) return null;
    return new Parsed(Kind.LAYER, parts[1], parts[3], base, g);
  }

  /** The generation in {@code name} = {@code base-<8 hex>}, or -1. */
  private static long suffixGeneration(String name, String base) {
    if (name.length() != base.length() + 9 || !name.startsWith(base) || name.charAt(base.length()) != '-') return -1;
    String hex = name.substring(base.length() + 1);
    if (!hex.matches("[0-9a-f]{8}")) return -1;
    long g = Long.parseLong(hex, 16);
    return g == 0 ? -1 : g;
  }

  private static boolean isId(String s) {
    return s.matches("[0-9a-f]{32}");
  }
}
