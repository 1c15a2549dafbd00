package actors.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import wire.pg.PgDecoder;
import wire.pg.ProtocolException;

/** Messages decoded from a blocking input stream, one at a time; the read side of both blocking connection ends. */
final class MessageReader<M> {
  private static final int READ_CHUNK = 64 * 1024;

  private final InputStream in;
  private final PgDecoder<M> decoder;
  private final ArrayDeque<M> decoded = new ArrayDeque<>();
  private final byte[] chunk = new byte[READ_CHUNK];

  /** Messages handed on before the actors they fed must run, however fast more arrive. */
  private static final int RUN_EVERY = 64;
  private int sinceRun;

  MessageReader(InputStream in, PgDecoder<M> decoder) {
    this.in = in;
    this.decoder = decoder;
  }

  /** The next message, waiting for it; null when the peer closed the connection between messages. */
  M next() throws IOException, ProtocolException {
    if (++sinceRun >= RUN_EVERY) runOwed();
    while (decoded.isEmpty()) {
      if (in.available() == 0) runOwed();   // nothing more at once: handle what was read before waiting
      int n = in.read(chunk);
      if (n < 0) {
        decoder.finish();   // a stream that ends inside a frame is a protocol error
        return null;
      }
      decoded.addAll(decoder.feed(ByteBuffer.wrap(chunk, 0, n)));
    }
    return decoded.poll();
  }

  private void runOwed() {
    sinceRun = 0;
    ReaderRunsExecutor.runDeferred();
  }

  /** Whether {@link #next} would answer without waiting (a message is decoded or bytes are in). */
  boolean ready() throws IOException {
    return !decoded.isEmpty() || in.available() > 0;
  }
}
