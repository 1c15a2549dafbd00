package wire.pgdata;

/** What all SLRUs share: 32 pages of 8 KiB per segment file, named by a hex segment number. */
public final class Slru {
  public static final int PAGES_PER_SEGMENT = 32;

  private Slru() {}

  public static int segmentOf(int page) {
    return Integer.divideUnsigned(page, PAGES_PER_SEGMENT);
  }

  public static int pageInSegment(int page) {
    return Integer.remainderUnsigned(page, PAGES_PER_SEGMENT);
  }

  /** {@code dir/XXXX}: upper-case hex, at least four digits (PostgreSQL 15's SlruFileName). */
  public static String fileName(String dir, int segment) {
    return String.format("%s/%04X", dir, segment);
  }

  /** The segment number of a file name's last component, or -1 when it is not 4 to 6 hex digits. */
  public static int parseSegment(String name) {
    if (name.length() < 4 || name.length() > 6 || !name.chars().allMatch(c -> "0123456789ABCDEF".indexOf(c) >= 0)) return -1;
    return Integer.parseInt(name, 16);
  }
}
