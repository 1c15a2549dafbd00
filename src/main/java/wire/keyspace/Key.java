package wire.keyspace;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;

/**
 * A key of the pageserver's key space (reference pageserver.md §2): six big-endian fields
 * {@code f1:u8 f2:u32 f3:u32 f4:u32 f5:u8 f6:u32}, 18 bytes, ordered as unsigned bytes. Every piece
 * of a data directory (a relation block, a relation size, an SLRU page, a directory listing, the
 * checkpoint) has one key. This file is the only place the field layouts appear.
 */
public record Key(int f1, int f2, int f3, int f4, int f5, int f6) implements Comparable<Key> {
  public static final int SIZE = 18;
  /** f6 of a relation's or SLRU segment's size key: it sorts right after the last block. */
  public static final int SIZE_FIELD = 0xFFFFFFFF;
  public static final Key MIN = new Key(0, 0, 0, 0, 0, 0);
  public static final Key MAX = new Key(0xFF, -1, -1, -1, 0xFF, -1);

  /** SLRU kinds in f2 of SLRU keys. */
  public enum SlruKind {
    CLOG("pg_xact"), MULTIXACT_MEMBERS("pg_multixact/members"), MULTIXACT_OFFSETS("pg_multixact/offsets");

    private final String dir;

    SlruKind(String dir) {
      this.dir = dir;
    }

    /** The directory of the data dir holding its segments. */
    public String dir() {
      return dir;
    }
  }

  public Key {
    if ((f1 & ~0xFF) != 0 || (f5 & ~0xFF) != 0) throw new IllegalArgumentException("key fields f1 and f5 are one byte: " + f1 + ", " + f5);
  }

  // --- dense keys (§2.2) ---

  public static Key dbDir() {
    return new Key(0, 0, 0, 0, 0, 0);
  }

  public static Key relmap(int spc, int db) {
    return new Key(0, spc, db, 0, 0, 0);
  }

  public static Key relDir(int spc, int db) {
    return new Key(0, spc, db, 0, 0, 1);
  }

  public static Key relBlock(RelTag rel, int blkno) {
    if (rel.relNode() == 0) throw new IllegalArgumentException("relfilenode 0 is not a relation: " + rel);
    if (blkno == SIZE_FIELD) throw new IllegalArgumentException("block number 0xFFFFFFFF is invalid: " + rel);
    return new Key(0, rel.spcNode(), rel.dbNode(), rel.relNode(), rel.fork().ordinal(), blkno);
  }

  public static Key relSize(RelTag rel) {
    if (rel.relNode() == 0) throw new IllegalArgumentException("relfilenode 0 is not a relation: " + rel);
    return new Key(0, rel.spcNode(), rel.dbNode(), rel.relNode(), rel.fork().ordinal(), SIZE_FIELD);
  }

  /** The first key of a relation fork (block 0); all its blocks and then its size key follow. */
  public static Key relStart(RelTag rel) {
    return new Key(0, rel.spcNode(), rel.dbNode(), rel.relNode(), rel.fork().ordinal(), 0);
  }

  public static Key slruDir(SlruKind kind) {
    return new Key(1, kind.ordinal(), 0, 0, 0, 0);
  }

  public static Key slruBlock(SlruKind kind, int segno, int blkno) {
    return new Key(1, kind.ordinal(), 1, segno, 0, blkno);
  }

  public static Key slruSegmentSize(SlruKind kind, int segno) {
    return new Key(1, kind.ordinal(), 1, segno, 0, SIZE_FIELD);
  }

  public static Key twoPhaseDir() {
    return new Key(2, 0, 0, 0, 0, 0);
  }

  public static Key twoPhaseFile(int xid) {
    return new Key(2, 0, 0, 0, 0, xid);
  }

  public static Key controlFile() {
    return new Key(3, 0, 0, 0, 0, 0);
  }

  public static Key checkpoint() {
    return new Key(3, 0, 0, 0, 0, 1);
  }

  // --- what a key is ---

  /** A relation block: f1 = 0, a relfilenode, and not the size slot. */
  public boolean isRelBlock() {
    return f1 == 0 && f4 != 0 && f6 != SIZE_FIELD;
  }

  public boolean isRelSize() {
    return f1 == 0 && f4 != 0 && f6 == SIZE_FIELD;
  }

  public boolean isSlruBlock() {
    return f1 == 1 && f3 == 1 && f6 != SIZE_FIELD;
  }

  public boolean isSlruSegmentSize() {
    return f1 == 1 && f3 == 1 && f6 == SIZE_FIELD;
  }

  /** Blocks whose values may be WAL records that need redo (relation and SLRU pages). */
  public boolean isPage() {
    return isRelBlock() || isSlruBlock();
  }

  /** The relation fork of a relation block or size key. */
  public RelTag relTag() {
    if (f1 != 0 || f4 == 0) throw new IllegalStateException(this + " is not a relation key");
    ForkNumber fork = ForkNumber.ofNumber(f5);
    if (fork == null) throw new IllegalStateException(this + " has fork " + f5);
    return new RelTag(f2, f3, f4, fork);
  }

  public SlruKind slruKind() {
    if (f1 != 1 || f2 < 0 || f2 >= SlruKind.values().length) throw new IllegalStateException(this + " is not an SLRU key");
    return SlruKind.values()[f2];
  }

  /** The block number (f6) of a relation or SLRU block key. */
  public int blockNumber() {
    return f6;
  }

  /** The SLRU segment number (f4) of an SLRU block or size key. */
  public int slruSegment() {
    return f4;
  }

  /** The next key in order (for half-open key ranges). */
  public Key next() {
    long[] f = {f1 & 0xFFL, f2 & 0xFFFFFFFFL, f3 & 0xFFFFFFFFL, f4 & 0xFFFFFFFFL, f5 & 0xFFL, f6 & 0xFFFFFFFFL};
    long[] max = {0xFF, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFF, 0xFFFFFFFFL};
    for (int i = 5; i >= 0; i--) {
      if (f[i] < max[i]) {
        f[i]++;
        break;
      }
      if (i == 0) throw new IllegalStateException("Key.MAX has no next key");
      f[i] = 0;
    }
    return new Key((int) f[0], (int) f[1], (int) f[2], (int) f[3], (int) f[4], (int) f[5]);
  }

  // --- bytes ---

  /** Writes the 18 bytes big-endian at the buffer's position. */
  public void encode(ByteBuffer out) {
    ByteBuffer be = out.slice(out.position(), SIZE).order(java.nio.ByteOrder.BIG_ENDIAN);
    be.put((byte) f1).putInt(f2).putInt(f3).putInt(f4).put((byte) f5).putInt(f6);
    out.position(out.position() + SIZE);
  }

  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    encode(b);
    return b.array();
  }

  /** Reads 18 bytes at the buffer's position (big-endian whatever the buffer's order). */
  public static Key decode(ByteBuffer in) {
    if (in.remaining() < SIZE) throw new IllegalArgumentException("a key is " + SIZE + " bytes, only " + in.remaining() + " left");
    ByteBuffer be = in.slice(in.position(), SIZE).order(java.nio.ByteOrder.BIG_ENDIAN);
    in.position(in.position() + SIZE);
    int f1 = be.get() & 0xFF;
    int f2 = be.getInt();
    int f3 = be.getInt();
    int f4 = be.getInt();
    int f5 = be.get() & 0xFF;
    int f6 = be.getInt();
    return new Key(f1, f2, f3, f4, f5, f6);
  }

  /** 36 upper-case hex digits, as layer file names carry keys. */
  public String toHex() {
    return HexFormat.of().withUpperCase().formatHex(toBytes());
  }

  public static Key parseHex(String hex) {
    if (hex.length() != SIZE * 2) throw new IllegalArgumentException("a key is " + SIZE * 2 + " hex digits: '" + hex + "'");
    return decode(ByteBuffer.wrap(HexFormat.of().parseHex(hex)));
  }

  @Override
  public int compareTo(Key o) {
    int c = Integer.compare(f1, o.f1);
    if (c == 0) c = Integer.compareUnsigned(f2, o.f2);
    if (c == 0) c = Integer.compareUnsigned(f3, o.f3);
    if (c == 0) c = Integer.compareUnsigned(f4, o.f4);
    if (c == 0) c = Integer.compare(f5, o.f5);
    if (c == 0) c = Integer.compareUnsigned(f6, o.f6);
    return c;
  }

  @Override
  public String toString() {
    return toHex();
  }
}
