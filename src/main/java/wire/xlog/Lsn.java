package wire.xlog;

/**
 * A WAL position: a byte offset into the infinite WAL stream of one timeline, printed as
 * {@code X/Y} (high and low 32 bits in upper-case hex, as PostgreSQL prints it). Comparison is
 * unsigned. Segment and page arithmetic assumes PostgreSQL's default 8 KiB WAL pages; the segment
 * size is a parameter because initdb can change it.
 */
public record Lsn(long value) implements Comparable<Lsn> {
  public static final Lsn INVALID = new Lsn(0);
  public static final int WAL_PAGE_SIZE = 8192;
  public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;

  public static Lsn of(long value) {
    return new Lsn(value);
  }

  /** Parses {@code X/Y}; throws IllegalArgumentException naming the bad text. */
  public static Lsn parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
      throw new IllegalArgumentException("invalid LSN '" + text + "': expected X/Y with hex parts of at most 8 digits");
    }
    try {
      long hi = Long.parseLong(text.substring(0, slash), 16);
      long lo = Long.parseLong(text.substring(slash + 1), 16);
      return new Lsn((hi << 32) | lo);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid LSN '" + text + "': not hexadecimal");
    }
  }

  public boolean isValid() {
    return value != 0;
  }

  public Lsn plus(long bytes) {
    return new Lsn(value + bytes);
  }

  /** Bytes from {@code other} up to this LSN (negative when this one is earlier). */
  public long minus(Lsn other) {
    return value - other.value;
  }

  public boolean isBefore(Lsn other) {
    return compareTo(other) < 0;
  }

  public boolean isAfter(Lsn other) {
    return compareTo(other) > 0;
  }

  public static Lsn max(Lsn a, Lsn b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public static Lsn min(Lsn a, Lsn b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  public long segmentNumber(long segmentSize) {
    return Long.divideUnsigned(value, segmentSize);
  }

  public long segmentOffset(long segmentSize) {
    return Long.remainderUnsigned(value, segmentSize);
  }

  /** The first byte of the segment holding this LSN. */
  public Lsn segmentStart(long segmentSize) {
    return new Lsn(value - segmentOffset(segmentSize));
  }

  public int pageOffset() {
    return (int) (value & (WAL_PAGE_SIZE - 1));
  }

  public Lsn pageStart() {
    return new Lsn(value & ~((long) WAL_PAGE_SIZE - 1));
  }

  /** Rounds up to an 8-byte boundary, as PostgreSQL's MAXALIGN places the next record. */
  public Lsn maxAlign() {
    return new Lsn((value + 7) & ~7L);
  }

  /** PostgreSQL's segment file name, e.g. {@code 000000010000000000000001}. */
  public String segmentFileName(int timeline, long segmentSize) {
    return segmentFileName(timeline, segmentNumber(segmentSize), segmentSize);
  }

  public static String segmentFileName(int timeline, long segNo, long segmentSize) {
    long segmentsPerId = 0x1_0000_0000L / segmentSize;
    return String.format("%08X%08X%08X", timeline, segNo / segmentsPerId, segNo % segmentsPerId);
  }

  /** The segment number named by a WAL file name (its optional {@code .partial} suffix ignored). */
  public static long segmentNumberOf(String fileName, long segmentSize) {
    String base = fileName.endsWith(".partial") ? fileName.substring(0, fileName.length() - 8) : fileName;
    if (base.length() != 24 || !base.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("not a WAL segment file name: '" + fileName + "'");
    }
    long segmentsPerId = 0x1_0000_0000L / segmentSize;
    long log = Long.parseLong(base.substring(8, 16), 16);
    long seg = Long.parseLong(base.substring(16, 24), 16);
    return log * segmentsPerId + seg;
  }

  @Override
  public int compareTo(Lsn other) {
    return Long.compareUnsigned(value, other.value);
  }

  /** {@code X/Y} in upper-case hex, as PostgreSQL prints an LSN; without String.format, as dumps print millions. */
  public static String format(long value) {
    return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase();
  }

  @Override
  public String toString() {
    return format(value);
  }
}
