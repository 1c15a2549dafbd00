package wire.pgdata;

/**
 * pg_xact: two status bits per transaction, four transactions per byte (lowest bits first), 32768
 * per 8 KiB page, {@link Slru#PAGES_PER_SEGMENT} pages per segment file {@code pg_xact/XXXX} (at least four upper-case hex
 * digits of the segment number).
 */
public final class Clog {
  public static final int PAGE_SIZE = 8192;
  public static final int BITS_PER_XACT = 2;
  public static final int XACTS_PER_BYTE = 4;
  public static final int XACTS_PER_PAGE = PAGE_SIZE * XACTS_PER_BYTE;

  /** A transaction's status as pg_xact stores it. */
  public enum Status {
    IN_PROGRESS, COMMITTED, ABORTED, SUB_COMMITTED
  }

  private Clog() {}

  public static int pageOf(int xid) {
    return (int) (Integer.toUnsignedLong(xid) / XACTS_PER_PAGE);
  }

  public static int byteInPage(int xid) {
    return (int) (Integer.toUnsignedLong(xid) % XACTS_PER_PAGE) / XACTS_PER_BYTE;
  }

  /** Where the xid's two bits start within its byte. */
  public static int bitShift(int xid) {
    return (int) (Integer.toUnsignedLong(xid) % XACTS_PER_BYTE) * BITS_PER_XACT;
  }

  public static Status status(byte[] page, int xid) {
    return Status.values()[(page[byteInPage(xid)] >> bitShift(xid)) & 0x3];
  }

  /** Sets one transaction's status on its page, leaving its three neighbours in the byte as they are. */
  public static void setStatus(byte[] page, int xid, Status status) {
    int i = byteInPage(xid), shift = bitShift(xid);
    page[i] = (byte) ((page[i] & ~(0x3 << shift)) | (status.ordinal() << shift));
  }

  public static String fileName(int segment) {
    return Slru.fileName("pg_xact", segment);
  }
}
