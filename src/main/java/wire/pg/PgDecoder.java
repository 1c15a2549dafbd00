package wire.pg;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a byte stream, cut into chunks anywhere, into whole messages. One instance per connection
 * and direction; not thread-safe. A server-side decoder starts in the startup phase, where packets
 * have no type byte, and leaves it after a StartupMessage or CancelRequest (SSLRequest and
 * GSSENCRequest are followed by another untyped packet).
 *
 * <p>Memory is bounded by what the peer actually sent: the declared length of a frame is checked
 * against {@link DecoderLimits} when its header arrives and is never used to allocate. After the
 * first error the decoder stays failed and repeats it.
 */
public final class PgDecoder<M> {
  private static final int SMALL_BUFFER = 8192;

  private interface Bodies<M> {
    boolean knows(char type);

    M decode(char type, byte[] body) throws ProtocolException;
  }

  private final DecoderLimits limits;
  private final Bodies<M> bodies;
  private final boolean serverSide;
  private boolean startupPhase;
  private byte[] buf = new byte[SMALL_BUFFER];
  private int head;
  private int tail;
  private ProtocolException failure;

  private PgDecoder(DecoderLimits limits, Bodies<M> bodies, boolean serverSide) {
    this.limits = limits;
    this.bodies = bodies;
    this.serverSide = serverSide;
    this.startupPhase = serverSide;
  }

  /** Decodes what a client sends to a server, starting with the startup packet. */
  public static PgDecoder<FrontendMessage> forServer(DecoderLimits limits) {
    return new PgDecoder<>(limits, new Bodies<>() {
      public boolean knows(char type) { return Codecs.knowsFrontend(type); }
      public FrontendMessage decode(char type, byte[] body) throws ProtocolException { return Codecs.frontend(type, body); }
    }, true);
  }

  /** Decodes what a server sends to a client. */
  public static PgDecoder<BackendMessage> forClient(DecoderLimits limits) {
    return new PgDecoder<>(limits, new Bodies<>() {
      public boolean knows(char type) { return Codecs.knowsBackend(type); }
      public BackendMessage decode(char type, byte[] body) throws ProtocolException { return Codecs.backend(type, body); }
    }, false);
  }

  public boolean inStartupPhase() {
    return startupPhase;
  }

  /** Bytes received but not yet part of a whole message. */
  public int buffered() {
    return tail - head;
  }

  public List<M> feed(byte[] chunk) throws ProtocolException {
    return feed(ByteBuffer.wrap(chunk));
  }

  /** Adds a chunk and returns the messages it completed, in order (possibly none). */
  public List<M> feed(ByteBuffer chunk) throws ProtocolException {
    if (failure != null) throw failure;
    append(chunk);
    List<M> out = new ArrayList<>();
    try {
      M m;
      while ((m = next()) != null) out.add(m);
    } catch (ProtocolException e) {
      failure = e;
      throw e;
    }
    if (head == tail && buf.length > SMALL_BUFFER) buf = new byte[SMALL_BUFFER];   // let a big frame's buffer go
    if (head == tail) head = tail = 0;
    return out;
  }

  /** Call at end of input: fails if the stream stopped inside a frame. */
  public void finish() throws ProtocolException {
    if (failure != null) throw failure;
    if (head != tail) {
      String what = startupPhase ? "startup packet" : "message " + ProtocolError.Names.type((char) (buf[head] & 0xff));
      failure = new ProtocolException(new ProtocolError.Truncated(what, "at end of stream after " + (tail - head) + " bytes"));
      throw failure;
    }
  }

  private void append(ByteBuffer chunk) {
    int n = chunk.remaining();
    if (buf.length - tail < n) {
      if (head > 0) {
        System.arraycopy(buf, head, buf, 0, tail - head);
        tail -= head;
        head = 0;
      }
      if (buf.length - tail < n) {
        long doubled = Math.min(Integer.MAX_VALUE - 8, buf.length * 2L);
        byte[] bigger = new byte[(int) Math.max(doubled, (long) tail + n)];
        System.arraycopy(buf, 0, bigger, 0, tail);
        buf = bigger;
      }
    }
    chunk.get(buf, tail, n);
    tail += n;
  }

  private long u32(int at) {
    return ((buf[at] & 0xffL) << 24) | ((buf[at + 1] & 0xffL) << 16) | ((buf[at + 2] & 0xffL) << 8) | (buf[at + 3] & 0xffL);
  }

  private byte[] take(int from, int to) {
    byte[] body = java.util.Arrays.copyOfRange(buf, from, to);
    head = to;
    return body;
  }

  /** The next whole message, or null when more bytes are needed. */
  @SuppressWarnings("unchecked")
  private M next() throws ProtocolException {
    int avail = tail - head;
    if (startupPhase) {
      if (avail < 4) return null;
      long len = u32(head);
      check((char) 0, len, 8);
      if (avail < len) return null;
      StartupPacket p = StartupPacket.decode(take(head + 4, head + (int) len));
      if (p instanceof StartupPacket.StartupMessage || p instanceof StartupPacket.CancelRequest) startupPhase = false;
      return (M) p;   // only a server-side decoder has a startup phase, and its M is FrontendMessage
    }
    if (avail < 1) return null;
    char type = (char) (buf[head] & 0xff);
    if (!bodies.knows(type)) throw new ProtocolException(new ProtocolError.UnknownMessageType(type));
    if (avail < 5) return null;
    long len = u32(head + 1);
    check(type, len, 4);
    if (avail < 1 + len) return null;
    return bodies.decode(type, take(head + 5, head + 1 + (int) len));
  }

  private void check(char type, long len, int minimum) throws ProtocolException {
    if (len < minimum) throw new ProtocolException(new ProtocolError.FrameTooShort(type, len, minimum));
    long limit = limits.limitFor(type);
    if (len > limit) throw new ProtocolException(new ProtocolError.FrameTooLarge(type, len, limit));
  }

  @Override public String toString() {
    return "PgDecoder[" + (serverSide ? "server" : "client") + (startupPhase ? ", startup" : "") + ", " + buffered() + " bytes buffered]";
  }
}
