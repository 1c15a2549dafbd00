package wire.pgdata;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The 512-byte POSIX ustar header of one tar entry, as pg_basebackup's tar format uses it: a name
 * (split into prefix and name past 100 bytes), octal mode, uid, gid, size and mtime, a checksum,
 * a type flag, and the "ustar\0" "00" magic. Data follows in 512-byte blocks, zero-padded; two
 * zero blocks end the archive. This file is the only place the offsets appear.
 */
public final class TarHeader {
  public static final int BLOCK = 512;
  public static final byte TYPE_FILE = '0', TYPE_DIRECTORY = '5';
  /** The largest size the 11 octal digits hold: 8 GiB - 1. */
  public static final long MAX_SIZE = 077777777777L;

  private static final int NAME = 0, NAME_LEN = 100, MODE = 100, UID = 108, GID = 116, SIZE = 124, MTIME = 136, CHECKSUM = 148,
      TYPE = 156, MAGIC = 257, VERSION = 263, PREFIX = 345, PREFIX_LEN = 155;

  private TarHeader() {}

  /** The number of zero bytes that pad {@code size} bytes of data to a whole block. */
  public static int padding(long size) {
    return (int) ((BLOCK - size % BLOCK) % BLOCK);
  }

  /**
   * Writes the header into {@code out} (at least 512 bytes; all 512 are overwritten). A name that
   * fits neither the name field nor a prefix/name split at a '/' is refused with its length.
   */
  public static void encode(byte[] out, String path, byte type, int mode, long size, long mtimeSeconds) {
    if (size < 0 || size > MAX_SIZE) throw new IllegalArgumentException("tar entry " + path + " of " + size + " bytes does not fit a ustar header");
    Arrays.fill(out, 0, BLOCK, (byte) 0);
    byte[] name = path.getBytes(StandardCharsets.UTF_8);
    if (name.length <= NAME_LEN) {
      System.arraycopy(name, 0, out, NAME, name.length);
    } else {
      int split = splitAt(name);
      System.arraycopy(name, 0, out, PREFIX, split);
      System.arraycopy(name, split + 1, out, NAME, name.length - split - 1);
    }
    octal(out, MODE, 8, mode);
    octal(out, UID, 8, 0);
    octal(out, GID, 8, 0);
    octal(out, SIZE, 12, size);
    octal(out, MTIME, 12, mtimeSeconds);
    out[TYPE] = type;
    System.arraycopy(new byte[] {'u', 's', 't', 'a', 'r', 0}, 0, out, MAGIC, 6);
    out[VERSION] = '0';
    out[VERSION + 1] = '0';
    Arrays.fill(out, CHECKSUM, CHECKSUM + 8, (byte) ' ');   // the checksum counts its own field as spaces
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) sum += out[i] & 0xFF;
    octal(out, CHECKSUM, 7, sum);   // six digits and a NUL; the eighth byte stays a space
  }

  /** The '/' that splits a long path into a prefix of at most 155 bytes and a name of at most 100. */
  private static int splitAt(byte[] name) {
    for (int i = Math.min(name.length - 1, PREFIX_LEN); i > 0; i--) {
      if (name[i] == '/' && name.length - i - 1 <= NAME_LEN && name.length - i - 1 > 0) return i;
    }
    throw new IllegalArgumentException("tar entry name of " + name.length + " bytes does not fit a ustar header: "
        + new String(name, StandardCharsets.UTF_8));
  }

  /** {@code value} as {@code width - 1} zero-padded octal digits and a NUL. */
  private static void octal(byte[] out, int at, int width, long value) {
    int digits = width - 1;
    long v = value;
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = (byte) ('0' + (v & 7));
      v >>>= 3;
    }
    if (v != 0) throw new IllegalArgumentException(value + " does not fit " + digits + " octal digits");
    out[at + digits] = 0;
  }
}
