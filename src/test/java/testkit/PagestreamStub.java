package testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamResponse;
import wire.pg.Authentication;
import wire.pg.BackendMessage;
import wire.pg.CommandComplete;
import wire.pg.CopyData;
import wire.pg.CopyDone;
import wire.pg.CopyResponse;
import wire.pg.DecoderLimits;
import wire.pg.ErrorResponse;
import wire.pg.FrontendMessage;
import wire.pg.PgDecoder;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.Terminate;
import wire.pgdata.RelTag;

/**
 * A stand-in for the page service until Strata's exists, for testing {@link PagestreamClient}: it
 * speaks the same protocol (pageserver.md §8.2) and serves one timeline's pages from the files of a
 * data directory, and a fixed tar for {@code basebackup}. A GetPage past a relation's end, or of a
 * relation without a file, gets an error response. It remembers every request it answered.
 */
final class PagestreamStub implements AutoCloseable {
  private final ServerSocket server;
  private final String tenant;
  private final String timeline;
  private final DataDirPageSource pages;
  private final byte[] tar;
  final List<PagestreamRequest> requests = new CopyOnWriteArrayList<>();

  PagestreamStub(String tenant, String timeline, Path dataDir, byte[] tar) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.tenant = tenant;
    this.timeline = timeline;
    this.pages = new DataDirPageSource(dataDir);
    this.tar = tar;
    Thread t = new Thread(this::acceptLoop, "pagestream-stub");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "pagestream-stub-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      PgDecoder<FrontendMessage> decoder = PgDecoder.forServer(DecoderLimits.DEFAULT);
      byte[] buf = new byte[65536];
      boolean streaming = false;
      for (int n; (n = in.read(buf)) > 0; ) {
        for (FrontendMessage m : decoder.feed(Arrays.copyOf(buf, n))) {
          if (m instanceof Terminate) return;
          if (m instanceof wire.pg.StartupPacket.StartupMessage) {
            write(out, new Authentication.Ok(), ReadyForQuery.IDLE);
          } else if (m instanceof Query q) {
            streaming = query(q.sql().trim().split("\\s+"), out);
          } else if (m instanceof CopyData d && streaming) {
            out.write(new CopyData(answer(PagestreamRequest.decode(ByteBuffer.wrap(d.data()))).encode()).encode());
          } else {
            write(out, ErrorResponse.fatal("08P01", "unexpected " + m));
            return;
          }
        }
        out.flush();
      }
    } catch (Exception e) {
      // a client that goes away ends its connection
    }
  }

  /** Answers a simple query; true when the connection is now a pagestream. */
  private boolean query(String[] words, OutputStream out) throws IOException {
    boolean known = words.length >= 3 && words[1].equals(tenant) && words[2].equals(timeline);
    if (words[0].equals("pagestream_v2") && words.length == 3 && known) {
      write(out, new CopyResponse.CopyBothResponse(0, List.of()));
      return true;
    }
    if (words[0].equals("basebackup") && words.length <= 4 && known) {
      write(out, new CopyResponse.CopyOutResponse(0, List.of()));
      for (int at = 0; at < tar.length; at += 1000) write(out, new CopyData(Arrays.copyOfRange(tar, at, Math.min(tar.length, at + 1000))));
      write(out, new CopyDone(), new CommandComplete("SELECT 1"), ReadyForQuery.IDLE);
      return false;
    }
    String what = known ? "unsupported query '" + String.join(" ", words) + "'" : "no such timeline " + (words.length >= 3 ? words[1] + "/" + words[2] : "");
    write(out, ErrorResponse.error("42601", what), ReadyForQuery.IDLE);
    return false;
  }

  private PagestreamResponse answer(PagestreamRequest r) {
    requests.add(r);
    long lsn = r.requestLsn().value();
    try {
      if (r instanceof PagestreamRequest.Exists e) return new PagestreamResponse.Exists(RelationFiles.fork(pages.dataDir(), e.rel()) != null);
      if (r instanceof PagestreamRequest.Nblocks n) return new PagestreamResponse.Nblocks(pages.nblocks(n.rel(), lsn));
      if (r instanceof PagestreamRequest.GetPage g) {
        RelTag rel = g.rel();
        int size = pages.nblocks(rel, lsn);
        if (Integer.compareUnsigned(g.blockNumber(), size) >= 0) {
          return new PagestreamResponse.Error("block " + Integer.toUnsignedString(g.blockNumber()) + " of " + rel + " is past its end " + size);
        }
        return new PagestreamResponse.GetPage(pages.page(rel, g.blockNumber(), lsn));
      }
      if (r instanceof PagestreamRequest.DbSize d) return new PagestreamResponse.DbSize(dbSize(d.dbNode()));
      PagestreamRequest.GetSlruSegment s = (PagestreamRequest.GetSlruSegment) r;
      return new PagestreamResponse.GetSlruSegment(pages.slruSegment(s.kind(), s.segno(), lsn));
    } catch (IOException e) {
      return new PagestreamResponse.Error(e.getMessage());
    }
  }

  private long dbSize(int db) throws IOException {
    Path dir = pages.dataDir().resolve("base").resolve(Integer.toUnsignedString(db));
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path f : (Iterable<Path>) files::iterator) total += Files.size(f);
      return total;
    }
  }

  private static void write(OutputStream out, BackendMessage... messages) throws IOException {
    for (BackendMessage m : messages) out.write(m.encode());
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
