package wire.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The standard header of a PostgreSQL page (PageHeaderData, 24 bytes): the fields storage reads or
 * writes itself. pd_lsn is two little-endian u32s, the high half first; pd_upper is a u16 at 14.
 */
public final class PageHeader {
  public static final int SIZE = 24;
  private static final int PD_LSN = 0;
  private static final int PD_UPPER = 14;

  private PageHeader() {}

  public static long lsn(byte[] page) {
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
    return (Integer.toUnsignedLong(b.getInt(PD_LSN)) << 32) | Integer.toUnsignedLong(b.getInt(PD_LSN + 4));
  }

  public static void setLsn(byte[] page, long lsn) {
    ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putInt(PD_LSN, (int) (lsn >>> 32)).putInt(PD_LSN + 4, (int) lsn);
  }

  /** PageIsNew: never initialised (pd_upper is 0), as a page fresh from a file extension. */
  public static boolean isNew(byte[] page) {
    return ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getShort(PD_UPPER) == 0;
  }
}
