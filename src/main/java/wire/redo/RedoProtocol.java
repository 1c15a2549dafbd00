package wire.redo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import wire.xlog.Lsn;

/**
 * The messages exchanged with the {@code strata_walredo} extension; the one place their layout is
 * written down in Java ({@code src/main/c/strata_walredo/PROTOCOL.md} is the other side). Every frame
 * is {@code type u8, length u32, payload}, little-endian.
 */
public final class RedoProtocol {
  public static final int VERSION = 1;
  public static final int PAGE_SIZE = 8192;
  public static final int HEADER_SIZE = 5;
  /** No reply is near this; a larger length means the stream is garbage. */
  public static final int MAX_REPLY = 64 * 1024;

  private static final byte BEGIN = 'B';
  private static final byte BASE_IMAGE = 'P';
  private static final byte APPLY = 'A';
  private static final byte GET = 'G';
  private static final byte EXIT = 'X';
  private static final byte HELLO = 'V';
  private static final byte PAGE = 'R';
  private static final byte ERROR = 'E';
  private static final int BEGIN_PAYLOAD = 17;
  private static final int APPLY_HEAD = 16;

  private RedoProtocol() {}

  /** What the service says. */
  public sealed interface Reply permits Hello, Page, Failure {}

  /** The first reply on a connection. */
  public record Hello(int version, int pgVersionNum, int blockSize) implements Reply {}

  /** The rebuilt page. */
  public record Page(byte[] bytes) implements Reply {}

  /** The request failed; {@code lsn} is the start of the record that failed, or invalid. */
  public record Failure(Lsn lsn, String message) implements Reply {}

  /** Bytes {@link #encode} writes for this request. */
  public static int encodedSize(RedoRequest r) {
    int size = HEADER_SIZE + BEGIN_PAYLOAD + HEADER_SIZE;
    if (r.baseImage() != null) size += HEADER_SIZE + PAGE_SIZE;
    for (RedoRecord rec : r.records()) size += HEADER_SIZE + APPLY_HEAD + rec.bytes().length;
    return size;
  }

  /** Writes B, P (if there is a base image), one A per record and G. {@code out} must have room. */
  public static void encode(RedoRequest r, ByteBuffer out) {
    out.order(ByteOrder.LITTLE_ENDIAN);
    header(out, BEGIN, BEGIN_PAYLOAD);
    out.putInt(r.rel().spcNode()).putInt(r.rel().dbNode()).putInt(r.rel().relNode());
    out.put((byte) r.fork()).putInt(r.blkno());
    if (r.baseImage() != null) header(out, BASE_IMAGE, PAGE_SIZE).put(r.baseImage());
    for (RedoRecord rec : r.records()) {
      header(out, APPLY, APPLY_HEAD + rec.bytes().length);
      out.putLong(rec.start().value()).putLong(rec.end().value()).put(rec.bytes());
    }
    header(out, GET, 0);
  }

  public static void encodeExit(ByteBuffer out) {
    header(out.order(ByteOrder.LITTLE_ENDIAN), EXIT, 0);
  }

  /**
   * The size of the frame starting at {@code in.position()}, header included, or -1 while fewer than
   * {@link #HEADER_SIZE} bytes are there. Does not consume.
   */
  public static int frameSize(ByteBuffer in) {
    if (in.remaining() < HEADER_SIZE) return -1;
    long len = Integer.toUnsignedLong(in.order(ByteOrder.LITTLE_ENDIAN).getInt(in.position() + 1));
    if (len > MAX_REPLY) {
      throw new IllegalArgumentException("reply '" + (char) in.get(in.position()) + "' claims " + len + " bytes; at most " + MAX_REPLY);
    }
    return HEADER_SIZE + (int) len;
  }

  /** Consumes one whole frame (check {@link #frameSize} first) and decodes it. */
  public static Reply decodeReply(ByteBuffer in) {
    int size = frameSize(in);
    if (size < 0 || in.remaining() < size) throw new IllegalArgumentException("incomplete reply frame");
    byte type = in.get();
    int len = in.getInt();
    switch (type) {
      case PAGE -> {
        if (len != PAGE_SIZE) throw new IllegalArgumentException("page reply of " + len + " bytes");
        byte[] page = new byte[PAGE_SIZE];
        in.get(page);
        return new Page(page);
      }
      case ERROR -> {
        if (len < 8) throw new IllegalArgumentException("error reply of " + len + " bytes");
        Lsn lsn = Lsn.of(in.getLong());
        byte[] text = new byte[len - 8];
        in.get(text);
        return new Failure(lsn, new String(text, StandardCharsets.UTF_8));
      }
      case HELLO -> {
        if (len != 12) throw new IllegalArgumentException("hello reply of " + len + " bytes");
        return new Hello(in.getInt(), in.getInt(), in.getInt());
      }
      default -> throw new IllegalArgumentException(String.format("unknown reply type 0x%02x", type & 0xff));
    }
  }

  private static ByteBuffer header(ByteBuffer out, byte type, int len) {
    return out.put(type).putInt(len);
  }
}
