package wire.keyspace;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The listing values of the key space: which databases, relation forks, SLRU segments and prepared
 * transactions exist. Each is a version byte, a u32 count and fixed-width sorted entries, big-endian.
 */
public final class Directories {
  private static final byte VERSION = 1;

  private Directories() {}

  /** A database of a tablespace; OIDs unsigned in ints. */
  public record Db(int spcNode, int dbNode) implements Comparable<Db> {
    @Override
    public int compareTo(Db o) {
      int c = Integer.compareUnsigned(spcNode, o.spcNode);
      return c != 0 ? c : Integer.compareUnsigned(dbNode, o.dbNode);
    }
  }

  /** A relation fork within a database's directory. */
  public record RelFork(int relNode, int fork) implements Comparable<RelFork> {
    @Override
    public int compareTo(RelFork o) {
      int c = Integer.compareUnsigned(relNode, o.relNode);
      return c != 0 ? c : Integer.compare(fork, o.fork);
    }
  }

  /** Every database, with whether its relmap file (and PG_VERSION) exist. */
  public record DbDirectory(NavigableMap<Db, Boolean> dbs) {
    public static final DbDirectory EMPTY = new DbDirectory(new TreeMap<>());

    public DbDirectory {
      dbs = Collections.unmodifiableNavigableMap(new TreeMap<>(dbs));
    }

    public DbDirectory with(Db db, boolean relmapExists) {
      TreeMap<Db, Boolean> m = new TreeMap<>(dbs);
      m.put(db, relmapExists);
      return new DbDirectory(m);
    }

    public DbDirectory without(Db db) {
      TreeMap<Db, Boolean> m = new TreeMap<>(dbs);
      m.remove(db);
      return new DbDirectory(m);
    }

    public byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(5 + 9 * dbs.size()).put(VERSION).putInt(dbs.size());
      dbs.forEach((db, relmap) -> b.putInt(db.spcNode()).putInt(db.dbNode()).put((byte) (relmap ? 1 : 0)));
      return b.array();
    }

    public static DbDirectory decode(byte[] bytes) {
      ByteBuffer b = open(bytes, 9, "database directory");
      TreeMap<Db, Boolean> m = new TreeMap<>();
      for (int n = b.getInt(); n > 0; n--) m.put(new Db(b.getInt(), b.getInt()), b.get() != 0);
      return new DbDirectory(m);
    }
  }

  /** The relation forks of one database. */
  public record RelDirectory(NavigableSet<RelFork> rels) {
    public static final RelDirectory EMPTY = new RelDirectory(new TreeSet<>());

    public RelDirectory {
      rels = Collections.unmodifiableNavigableSet(new TreeSet<>(rels));
    }

    public RelDirectory with(RelFork r) {
      TreeSet<RelFork> s = new TreeSet<>(rels);
      s.add(r);
      return new RelDirectory(s);
    }

    public RelDirectory without(RelFork r) {
      TreeSet<RelFork> s = new TreeSet<>(rels);
      s.remove(r);
      return new RelDirectory(s);
    }

    public byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(5 + 5 * rels.size()).put(VERSION).putInt(rels.size());
      rels.forEach(r -> b.putInt(r.relNode()).put((byte) r.fork()));
      return b.array();
    }

    public static RelDirectory decode(byte[] bytes) {
      ByteBuffer b = open(bytes, 5, "relation directory");
      TreeSet<RelFork> s = new TreeSet<>();
      for (int n = b.getInt(); n > 0; n--) s.add(new RelFork(b.getInt(), b.get() & 0xFF));
      return new RelDirectory(s);
    }
  }

  /** A set of unsigned 32-bit numbers: the segments of one SLRU, or the xids of prepared transactions. */
  public record NumberSet(NavigableSet<Integer> numbers) {
    public static final NumberSet EMPTY = new NumberSet(new TreeSet<>(Integer::compareUnsigned));

    public NumberSet {
      TreeSet<Integer> s = new TreeSet<>(Integer::compareUnsigned);
      s.addAll(numbers);
      numbers = Collections.unmodifiableNavigableSet(s);
    }

    public NumberSet with(int n) {
      TreeSet<Integer> s = new TreeSet<>(numbers);
      s.add(n);
      return new NumberSet(s);
    }

    public NumberSet without(int n) {
      TreeSet<Integer> s = new TreeSet<>(numbers);
      s.remove(n);
      return new NumberSet(s);
    }

    public byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(5 + 4 * numbers.size()).put(VERSION).putInt(numbers.size());
      numbers.forEach(b::putInt);
      return b.array();
    }

    public static NumberSet decode(byte[] bytes) {
      ByteBuffer b = open(bytes, 4, "number set");
      TreeSet<Integer> s = new TreeSet<>(Integer::compareUnsigned);
      for (int n = b.getInt(); n > 0; n--) s.add(b.getInt());
      return new NumberSet(s);
    }
  }

  private static ByteBuffer open(byte[] bytes, int entrySize, String what) {
    if (bytes.length < 5 || bytes[0] != VERSION) {
      throw new IllegalArgumentException(what + ": expected version " + VERSION + " and a count, got " + bytes.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.get();
    int n = b.getInt(0 + 1);
    if (n < 0 || (long) n * entrySize != bytes.length - 5) {
      throw new IllegalArgumentException(what + ": " + n + " entries do not fit " + (bytes.length - 5) + " bytes");
    }
    return b;
  }

  /** A relation size value: u32 little-endian block count (reference §2.2). */
  public static byte[] encodeSize(int nblocks) {
    return ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(nblocks).array();
  }

  public static int decodeSize(byte[] bytes) {
    if (bytes.length != 4) throw new IllegalArgumentException("a size value is 4 bytes, got " + bytes.length);
    // little-endian, read without a buffer object: ingest reads a size for most block references
    return (bytes[0] & 0xFF) | (bytes[1] & 0xFF) << 8 | (bytes[2] & 0xFF) << 16 | (bytes[3] & 0xFF) << 24;
  }
}
