package wire.pgdata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * pg_multixact in PostgreSQL 15. Offsets: one 4-byte member offset per multixact, 2048 per page.
 * Members: groups of four, each group 4 flag bytes (one status byte per member) then 4 xids
 * (20 bytes); 409 groups = 1636 members per page, the last 12 bytes of a page unused.
 */
public final class MultiXactSlru {
  public static final int PAGE_SIZE = 8192;
  public static final int OFFSETS_PER_PAGE = PAGE_SIZE / 4;
  public static final int MEMBERS_PER_GROUP = 4;
  public static final int GROUP_SIZE = MEMBERS_PER_GROUP + MEMBERS_PER_GROUP * 4;
  public static final int GROUPS_PER_PAGE = PAGE_SIZE / GROUP_SIZE;
  public static final int MEMBERS_PER_PAGE = GROUPS_PER_PAGE * MEMBERS_PER_GROUP;

  private MultiXactSlru() {}

  public static int offsetsPage(int multi) {
    return (int) (Integer.toUnsignedLong(multi) / OFFSETS_PER_PAGE);
  }

  /** Byte position of the multixact's entry in its offsets page. */
  public static int offsetsEntryPosition(int multi) {
    return (int) (Integer.toUnsignedLong(multi) % OFFSETS_PER_PAGE) * 4;
  }

  public static int membersPage(int memberOffset) {
    return (int) (Integer.toUnsignedLong(memberOffset) / MEMBERS_PER_PAGE);
  }

  /** Byte position of the status byte of the member at this offset in its members page. */
  public static int memberFlagsPosition(int memberOffset) {
    long off = Integer.toUnsignedLong(memberOffset);
    return (int) ((off / MEMBERS_PER_GROUP) % GROUPS_PER_PAGE) * GROUP_SIZE + (int) (off % MEMBERS_PER_GROUP);
  }

  /** Byte position of the member's xid in its members page. */
  public static int memberXidPosition(int memberOffset) {
    long off = Integer.toUnsignedLong(memberOffset);
    return (int) ((off / MEMBERS_PER_GROUP) % GROUPS_PER_PAGE) * GROUP_SIZE + MEMBERS_PER_GROUP
        + (int) (off % MEMBERS_PER_GROUP) * 4;
  }

  public static void setOffset(byte[] offsetsPage, int multi, int memberOffset) {
    ByteBuffer.wrap(offsetsPage).order(ByteOrder.LITTLE_ENDIAN).putInt(offsetsEntryPosition(multi), memberOffset);
  }

  public static int offset(byte[] offsetsPage, int multi) {
    return ByteBuffer.wrap(offsetsPage).order(ByteOrder.LITTLE_ENDIAN).getInt(offsetsEntryPosition(multi));
  }

  /** Writes one member: its xid and its status (a MultiXactStatus number) at its offset. */
  public static void setMember(byte[] membersPage, int memberOffset, int xid, int status) {
    ByteBuffer.wrap(membersPage).order(ByteOrder.LITTLE_ENDIAN).putInt(memberXidPosition(memberOffset), xid);
    membersPage[memberFlagsPosition(memberOffset)] = (byte) status;
  }

  public static int memberXid(byte[] membersPage, int memberOffset) {
    return ByteBuffer.wrap(membersPage).order(ByteOrder.LITTLE_ENDIAN).getInt(memberXidPosition(memberOffset));
  }

  public static int memberStatus(byte[] membersPage, int memberOffset) {
    return membersPage[memberFlagsPosition(memberOffset)] & 0xFF;
  }

  public static String offsetsFileName(int segment) {
    return Slru.fileName("pg_multixact/offsets", segment);
  }

  public static String membersFileName(int segment) {
    return Slru.fileName("pg_multixact/members", segment);
  }
}
