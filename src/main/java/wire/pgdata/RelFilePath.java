package wire.pgdata;

import wire.WireFormatException;

/**
 * Where a relation fork segment lives in a data directory: {@code global/<rel>} (shared catalogs),
 * {@code base/<db>/<rel>}, or {@code pg_tblspc/<spc>/PG_15_202209061/<db>/<rel>}, with the fork
 * suffix and {@code .<segno>} for segments after the first. A segment holds 1 GiB (131072 blocks).
 */
public record RelFilePath(RelTag rel, int segno) {
  public static final int BLOCKS_PER_SEGMENT = 131072;
  public static final String TABLESPACE_VERSION_DIRECTORY = "PG_15_202209061";
  private static final String FORMAT = "relation file path";

  public RelFilePath {
    if (segno < 0) throw new IllegalArgumentException("negative segment number " + segno);
  }

  /** The segment file holding block {@code blkno} (unsigned) of a fork. */
  public static RelFilePath ofBlock(RelTag rel, int blkno) {
    return new RelFilePath(rel, (int) (Integer.toUnsignedLong(blkno) / BLOCKS_PER_SEGMENT));
  }

  /** The first block number stored in this segment file. */
  public long firstBlock() {
    return (long) segno * BLOCKS_PER_SEGMENT;
  }

  /** The path relative to the data directory, with '/' separators. */
  public String format() {
    String dir;
    if (rel.spcNode() == RelTag.GLOBAL_TABLESPACE_OID) {
      dir = "global/";
    } else if (rel.spcNode() == RelTag.DEFAULT_TABLESPACE_OID) {
      dir = "base/" + Integer.toUnsignedString(rel.dbNode()) + "/";
    } else {
      dir = "pg_tblspc/" + Integer.toUnsignedString(rel.spcNode()) + "/" + TABLESPACE_VERSION_DIRECTORY + "/"
          + Integer.toUnsignedString(rel.dbNode()) + "/";
    }
    return dir + Integer.toUnsignedString(rel.relNode()) + rel.fork().suffix() + (segno == 0 ? "" : "." + segno);
  }

  /** Parses a path relative to the data directory; anything that is not a relation file is an error. */
  public static RelFilePath parse(String path) throws WireFormatException {
    String[] parts = path.split("/", -1);
    int spc, db;
    if (parts.length == 2 && parts[0].equals("global")) {
      spc = RelTag.GLOBAL_TABLESPACE_OID;
      db = 0;
    } else if (parts.length == 3 && parts[0].equals("base")) {
      spc = RelTag.DEFAULT_TABLESPACE_OID;
      db = oid(parts[1], "dbNode", path);
    } else if (parts.length == 5 && parts[0].equals("pg_tblspc")) {
      spc = oid(parts[1], "spcNode", path);
      if (!parts[2].equals(TABLESPACE_VERSION_DIRECTORY)) {
        throw new WireFormatException(FORMAT, "tablespace version directory", parts[2],
            "expected " + TABLESPACE_VERSION_DIRECTORY + " in '" + path + "'");
      }
      db = oid(parts[3], "dbNode", path);
    } else {
      throw new WireFormatException(FORMAT, "path", "'" + path + "'",
          "not global/<rel>, base/<db>/<rel> or pg_tblspc/<spc>/" + TABLESPACE_VERSION_DIRECTORY + "/<db>/<rel>");
    }
    String name = parts[parts.length - 1];
    int segno = 0;
    int dot = name.indexOf('.');
    if (dot >= 0) {
      String seg = name.substring(dot + 1);
      if (seg.isEmpty() || seg.startsWith("0") || !seg.chars().allMatch(Character::isDigit) || seg.length() > 6) {
        throw new WireFormatException(FORMAT, "segno", "'" + seg + "'", "expected a positive decimal number in '" + path + "'");
      }
      segno = Integer.parseInt(seg);
      name = name.substring(0, dot);
    }
    ForkNumber fork = ForkNumber.MAIN;
    int underscore = name.indexOf('_');
    String suffix = underscore < 0 ? "" : name.substring(underscore);
    int rel = oid(underscore < 0 ? name : name.substring(0, underscore), "relNode", path);
    if (!suffix.isEmpty()) {
      fork = null;
      for (ForkNumber f : ForkNumber.values()) if (!f.suffix().isEmpty() && f.suffix().equals(suffix)) fork = f;
      if (fork == null) throw new WireFormatException(FORMAT, "fork", "'" + suffix + "'", "unknown fork suffix in '" + path + "'");
    }
    return new RelFilePath(new RelTag(spc, db, rel, fork), segno);
  }

  /** An OID as PostgreSQL prints it: decimal, no sign or leading zeros, non-zero, at most 2^32-1. */
  private static int oid(String text, String field, String path) throws WireFormatException {
    if (text.isEmpty() || text.length() > 10 || text.startsWith("0") || !text.chars().allMatch(Character::isDigit)
        || Long.parseLong(text) > 0xFFFF_FFFFL) {
      throw new WireFormatException(FORMAT, field, "'" + text + "'", "not an OID in '" + path + "'");
    }
    return (int) Long.parseLong(text);
  }
}
