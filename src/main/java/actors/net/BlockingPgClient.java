package actors.net;

import java.io.IOException;
import java.io.InputStream;
import wire.pg.BackendMessage;
import wire.pg.DecoderLimits;
import wire.pg.PgDecoder;
import wire.pg.ProtocolException;

/**
 * The client side of one PostgreSQL-protocol connection on a plain socket: one thread reads
 * ({@link #next}, blocking); sends go through a {@link SocketOutbox} over it, which writes small
 * frames with no hand-off. For a hot request/response path where an Akka Streams hop costs a
 * thread wake-up.
 */
public final class BlockingPgClient extends ClientSocket {
  private final PgDecoder<BackendMessage> decoder;
  private MessageReader<BackendMessage> reader;

  public BlockingPgClient(DecoderLimits limits) {
    super(64 * 1024);
    this.decoder = PgDecoder.forClient(limits);
  }

  @Override
  public InputStream connect(String host, int port, int timeoutMillis) throws IOException {
    InputStream in = super.connect(host, port, timeoutMillis);
    reader = new MessageReader<>(in, decoder);
    return in;
  }

  /** The next message, waiting for it; null when the server closed the connection between messages. */
  public BackendMessage next() throws IOException, ProtocolException {
    return reader.next();
  }
}
