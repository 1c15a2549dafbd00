package actors.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.DecoderLimits;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.PgDecoder;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.StartupPacket;
import wire.pg.Terminate;

class BlockingPgListenerTest {
  /** Answers each query with a CommandComplete naming it, until Terminate or the end of input. */
  private static final BlockingPgConnection.Handler ECHO = conn -> {
    FrontendMessage m = conn.next();
    if (!(m instanceof StartupPacket.StartupMessage)) return;
    conn.send(ReadyForQuery.IDLE);
    conn.flush();
    while ((m = conn.next()) != null && !(m instanceof Terminate)) {
      if (m instanceof Query q) conn.send(new CommandComplete(q.sql()));
      if (!conn.ready()) conn.flush();   // pipelined queries are answered in one write
    }
  };

  @Test
  void pipelinedQueriesAreAnsweredInOrderAndTheConnectionClosesAfterTerminate() throws Exception {
    try (BlockingPgListener l = BlockingPgListener.bind("test", "127.0.0.1", 0, DecoderLimits.DEFAULT, ECHO);
         Socket s = new Socket("127.0.0.1", l.localAddress().getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(StartupPacket.StartupMessage.of(Map.of("user", "u")).encode());
      for (int i = 0; i < 50; i++) out.write(new Query("q" + i).encode());
      out.write(new Terminate().encode());
      out.flush();
      List<BackendMessage> got = PgDecoder.forClient(DecoderLimits.DEFAULT).feed(new DataInputStream(s.getInputStream()).readAllBytes());
      assertEquals(51, got.size());
      assertEquals(ReadyForQuery.IDLE, got.get(0));
      for (int i = 0; i < 50; i++) assertEquals(new CommandComplete("q" + i), got.get(i + 1));
    }
  }

  @Test
  void aClientBreakingTheProtocolGetsAFatalErrorBeforeTheServerCloses() throws Exception {
    try (BlockingPgListener l = BlockingPgListener.bind("test", "127.0.0.1", 0, DecoderLimits.DEFAULT, ECHO);
         Socket s = new Socket("127.0.0.1", l.localAddress().getPort())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(StartupPacket.StartupMessage.of(Map.of("user", "u")).encode());
      out.write(new byte[] {'?', 0, 0, 0, 4});
      out.flush();
      List<BackendMessage> got = PgDecoder.forClient(DecoderLimits.DEFAULT).feed(new DataInputStream(s.getInputStream()).readAllBytes());
      ErrorResponse last = assertInstanceOf(ErrorResponse.class, got.get(got.size() - 1));
      assertEquals("FATAL", last.fields().severity());
      assertEquals("08P01", last.fields().sqlState());
      assertEquals("unknown message type '?'", last.fields().message());
    }
  }
}
