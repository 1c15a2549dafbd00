package store.layer;

import java.util.Locale;
import wire.keyspace.Key;

/**
 * A layer file's name, as Neon spells it (reference pageserver.md §4.3, §4.4): a delta layer is
 * {@code <key start>-<key end>__<lsn start>-<lsn end>}, an image layer {@code <key start>-<key end>__<lsn>};
 * keys are 36 hex digits, LSNs 16. LSN ranges are half-open: an image at L covers {@code [L, L+1)}.
 */
public record LayerName(LayerKind kind, KeyRange keys, long lsnStart, long lsnEnd) {
  public LayerName {
    if (Long.compareUnsigned(lsnStart, lsnEnd) >= 0) {
      throw new IllegalArgumentException("empty LSN range " + hex(lsnStart) + "-" + hex(lsnEnd));
    }
    if (kind == LayerKind.IMAGE && lsnEnd != lsnStart + 1) {
      throw new IllegalArgumentException("an image layer covers one LSN, not " + hex(lsnStart) + "-" + hex(lsnEnd));
    }
  }

  public static LayerName delta(KeyRange keys, long lsnStart, long lsnEnd) {
    return new LayerName(LayerKind.DELTA, keys, lsnStart, lsnEnd);
  }

  public static LayerName image(KeyRange keys, long lsn) {
    return new LayerName(LayerKind.IMAGE, keys, lsn, lsn + 1);
  }

  /** The LSN of an image layer. */
  public long imageLsn() {
    return lsnStart;
  }

  /** An L0 delta: every key over an LSN range, as a frozen in-memory layer is written. */
  public boolean isL0() {
    return kind == LayerKind.DELTA && keys.equals(KeyRange.FULL);
  }

  /** Parses a layer file name; anything else is an IllegalArgumentException naming the text. */
  public static LayerName parse(String name) {
    LayerName n = tryParse(name);
    if (n == null) throw new IllegalArgumentException("not a layer file name: '" + name + "'");
    return n;
  }

  /** Parses a layer file name, or returns null when the text is not one. */
  public static LayerName tryParse(String name) {
    int sep = name.indexOf("__");
    int keyLen = Key.SIZE * 2;
    if (sep != keyLen * 2 + 1 || name.charAt(keyLen) != '-') return null;
    try {
      KeyRange keys = new KeyRange(Key.parseHex(name.substring(0, keyLen)), Key.parseHex(name.substring(keyLen + 1, sep)));
      String lsns = name.substring(sep + 2);
      if (lsns.length() == 16) {
        return image(keys, parseLsn(lsns));
      }
      if (lsns.length() == 33 && lsns.charAt(16) == '-') {
        return delta(keys, parseLsn(lsns.substring(0, 16)), parseLsn(lsns.substring(17)));
      }
      return null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static long parseLsn(String hex) {
    for (int i = 0; i < hex.length(); i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) throw new IllegalArgumentException("not hex: " + hex);
    }
    return Long.parseUnsignedLong(hex, 16);
  }

  static String hex(long lsn) {
    return String.format(Locale.ROOT, "%016X", lsn);
  }

  @Override
  public String toString() {
    String range = keys.start().toHex() + "-" + keys.end().toHex() + "__";
    return kind == LayerKind.IMAGE ? range + hex(lsnStart) : range + hex(lsnStart) + "-" + hex(lsnEnd);
  }
}
