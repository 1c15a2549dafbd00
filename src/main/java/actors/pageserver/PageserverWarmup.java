package actors.pageserver;

import actors.net.BlockingPgClient;
import actors.net.BlockingPgListener;
import actors.safekeeper.TimelineId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import store.FileTrees;
import store.layer.KeySpace;
import store.layer.LayerSettings;
import store.layer.TimelineLayers;
import store.layer.TimelineMetadata;
import store.layer.ValueHistory;
import store.pgdatadir.DatadirKeySpace;
import store.pgdatadir.WalChunkIngest;
import store.pgdatadir.WalIngest;
import wire.keyspace.Value;
import wire.pagestream.PagestreamRequest;
import wire.pagestream.PagestreamResponse;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.pg.CopyResponse;
import wire.pg.DecoderLimits;
import wire.pg.ErrorResponse;
import wire.pg.ProtocolException;
import wire.pg.Query;
import wire.pg.ReadyForQuery;
import wire.pg.StartupPacket;
import wire.pgdata.CheckPoint;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;
import wire.xlog.WalDecoder;
import wire.xlog.encode.RehearsalWal;

/**
 * Runs the pageserver's own ingest and read code once over synthetic WAL ({@link RehearsalWal}) in
 * a scratch directory, before any tenant loads: a fresh JVM otherwise compiles that code while the
 * first real WAL and the first GetPage requests wait (catch-up ingest ran at about a fifth of a warm
 * JVM's speed, and a cold GetPage pass had three times the p99 of a hot one). The steps are the
 * real ones: 128 KiB chunks through the Timeline actor's own loop ({@link WalChunkIngest}: decoder,
 * {@link WalIngest}, batches into {@link TimelineLayers}), freeze and flush to an L0 file,
 * image layers as compaction writes them, then every page read back through {@link PageRequests},
 * and the images once more through the page service's connection code on a loopback socket. Nothing is kept; a failure only costs the warm-up.
 */
final class PageserverWarmup {
  private static final int CHUNK = 128 * 1024;
  /** As {@code strata.pageserver.ingest-batch-records} is by default. */
  private static final int BATCH_RECORDS = 100;
  /** Reconnections the ingest rehearses (see {@link #ingest}). */
  private static final int STREAMS = 4;
  private static final int READ_PASSES = 8;
  /** Each socket read is a round trip between two threads: fewer passes keep the start short. */
  private static final int SOCKET_PASSES = 2;

  /** What one run did, for one log line. */
  record Result(long walBytes, long records, long pagesRead, long millis) {}

  private PageserverWarmup() {}

  /** Blocking; {@code scratch} (anything left there by an earlier run is dropped first) is removed afterwards. */
  static Result run(Path scratch, long walBytes) throws IOException {
    long t0 = System.nanoTime();
    FileTrees.delete(scratch);
    Files.createDirectories(scratch);
    try {
      int segmentSize = (int) Lsn.DEFAULT_SEGMENT_SIZE;
      Lsn start = RehearsalWal.start(segmentSize);
      byte[] wal = RehearsalWal.generate(walBytes, segmentSize);
      LayerSettings settings = new LayerSettings(Math.max(1 << 20, walBytes / 2), Duration.ofMinutes(10), 64L << 20, 3);
      TimelineLayers layers = TimelineLayers.create(scratch, TimelineMetadata.root(start.value(), 15), null, settings);
      layers.advance(start.value(), 0);
      TimelineHandle handle = handle(layers);
      long records = ingest(layers, handle, start, wal);
      layers.freeze();
      layers.flushFrozen();
      long lsn = layers.diskConsistentLsn();
      KeySpace keyspace = DatadirKeySpace.collect(handle.datadir(lsn));
      layers.createImageLayers(lsn, keyspace.partition(settings.compactionTargetSize()), keyspace, (key, at) -> imageOrBlank(layers, key, at));
      TimelineHandle reader = handle(layers);
      long pages = read(reader, lsn) + readOverSocket(reader, lsn);
      return new Result(wal.length, records, pages, (System.nanoTime() - t0) / 1_000_000);
    } finally {
      FileTrees.delete(scratch);
    }
  }

  /**
   * The Timeline actor's steps: chunks through {@link WalChunkIngest}, the layer frozen and flushed
   * when full. The WAL comes as {@link #STREAMS} streams, each resuming at the last stored record as
   * a reconnected walreceiver does: each stream starts with empty directory and size caches, as real
   * WAL's first stream will.
   */
  private static long ingest(TimelineLayers layers, TimelineHandle handle, Lsn start, byte[] wal) throws IOException {
    WalIngest walIngest = new WalIngest(checkpoint(start), 0);
    RecentWal recent = new RecentWal(Lsn.DEFAULT_SEGMENT_SIZE);
    long records = 0;
    try {
      for (int stream = 1; stream <= STREAMS; stream++) {
        long last = layers.lastRecordLsn();
        WalChunkIngest chunks = new WalChunkIngest(WalDecoder.startingAt(Lsn.of(last), Lsn.DEFAULT_SEGMENT_SIZE), walIngest,
            handle.datadir(last), last, layers.prevRecordLsn(), (values, end, prev) -> {
              if (!values.isEmpty()) layers.put(values);
              layers.advance(end, prev);
            }, BATCH_RECORDS, Timeline.MAX_BATCH_BYTES);
        int streamEnd = (int) ((long) wal.length * stream / STREAMS);
        for (int off = (int) (last - start.value()); off < streamEnd; off += CHUNK) {
          byte[] chunk = Arrays.copyOfRange(wal, off, Math.min(streamEnd, off + CHUNK));   // a fresh array per chunk, as received
          recent.append(start.value() + off, chunk);
          records += chunks.feed(chunk);
          if (layers.shouldFreeze()) {
            layers.freeze();
            layers.tryFlushFrozen();
          }
        }
      }
    } catch (wire.xlog.WalFormatException | store.pgdatadir.InvalidWalRecord e) {
      throw new IOException("warm-up WAL rejected: " + e.getMessage(), e);
    }
    return records;
  }

  /** Every block of both relations, several passes, as pagestream requests answered and framed for the socket. */
  private static long read(TimelineHandle handle, long lsn) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream(16 << 10);
    long pages = 0;
    for (int pass = 0; pass < READ_PASSES; pass++) {
      for (wire.pgdata.RelFileNode node : List.of(RehearsalWal.IMAGES, RehearsalWal.HEAP)) {
        RelTag rel = node.fork(ForkNumber.MAIN);
        int blocks = Math.max(0, handle.datadir(lsn).relSizeOrMinusOne(rel));   // a short rehearsal may not reach every block
        for (int blk = 0; blk < blocks; blk++) {
          byte[] request = new PagestreamRequest.GetPage(Lsn.of(lsn), Lsn.of(lsn), rel, blk).encode();
          PagestreamResponse r;
          try {
            r = PageRequests.answer(handle, PagestreamRequest.decode(ByteBuffer.wrap(request))).toCompletableFuture().join();
          } catch (wire.WireFormatException | RuntimeException e) {
            throw new IOException("warm-up read of " + rel + " block " + blk + " failed: " + e.getMessage(), e);
          }
          if (!(r instanceof PagestreamResponse.GetPage g)) throw new IOException("warm-up read of " + rel + " block " + blk + ": " + r);
          sink.reset();
          sink.write(CopyData.header(1 + g.page().length));
          sink.write(PagestreamResponse.GetPage.TAG);
          sink.write(g.page());
          pages++;
        }
      }
    }
    return pages;
  }

  /**
   * The image relation's pages once more, through the page service's own connection code on a
   * loopback socket (a listener of its own on a free port, closed afterwards): startup,
   * {@code pagestream_v2}, then one request at a time as a compute sends them.
   */
  private static long readOverSocket(TimelineHandle handle, long lsn) throws IOException {
    PageserverRegistry registry = new PageserverRegistry();
    registry.addTenant(handle.id().tenantId());
    registry.add(handle);
    RelTag rel = RehearsalWal.IMAGES.fork(ForkNumber.MAIN);
    int blocks = Math.max(0, handle.datadir(lsn).relSizeOrMinusOne(rel));
    BlockingPgListener listener = BlockingPgListener.bind("warmup-page-service", "127.0.0.1", 0, DecoderLimits.DEFAULT,
        PageServiceConnection.handler(registry, new Basebackups(Runnable::run)));
    BlockingPgClient client = new BlockingPgClient(DecoderLimits.DEFAULT);
    long pages = 0;
    try {
      client.connect("127.0.0.1", listener.localAddress().getPort(), 10_000);
      client.readTimeout(10_000);
      client.write(StartupPacket.StartupMessage.of(Map.of("user", "warmup", "database", "postgres")).encode());
      client.flush();
      awaitReply(client, ReadyForQuery.class);
      client.write(new Query("pagestream_v2 " + handle.id().tenantId() + " " + handle.id().timelineId()).encode());
      client.flush();
      awaitReply(client, CopyResponse.CopyBothResponse.class);
      for (int pass = 0; pass < SOCKET_PASSES; pass++) {
        for (int blk = 0; blk < blocks; blk++) {
          client.write(new CopyData(new PagestreamRequest.GetPage(Lsn.of(lsn), Lsn.of(lsn), rel, blk).encode()).encode());
          client.flush();
          BackendMessage m = client.next();
          if (!(m instanceof CopyData d) || d.data().length != 1 + 8192) throw new IOException("warm-up page service answered " + m);
          pages++;
        }
      }
    } catch (ProtocolException e) {
      throw new IOException("warm-up page service: " + e.getMessage(), e);
    } finally {
      client.cut();
      listener.close();
    }
    return pages;
  }

  private static void awaitReply(BlockingPgClient client, Class<? extends BackendMessage> wanted) throws IOException, ProtocolException {
    for (BackendMessage m; (m = client.next()) != null; ) {
      if (wanted.isInstance(m)) return;
      if (m instanceof ErrorResponse e) throw new IOException("warm-up page service refused: " + e);
    }
    throw new IOException("warm-up page service closed the connection");
  }

  /** Compaction's materializer, without redo: the newest image, or a blank page where only WAL records lie on top. */
  private static byte[] imageOrBlank(TimelineLayers layers, wire.keyspace.Key key, long lsn) throws IOException {
    ValueHistory h = layers.history(key, lsn);
    if (h.isEmpty()) return null;
    if (h.isImage()) return ((Value.Image) h.newestFirst().get(0).value()).bytes();
    return new byte[8192];
  }

  private static TimelineHandle handle(TimelineLayers layers) {
    String tenant = "00000000000000000000000000000000";
    String timeline = "00000000000000000000000000000001";
    TimelineInfo info = new TimelineInfo(tenant, timeline, "warmup", null, 0, layers.lastRecordLsn(), 0, 0, 0,
        layers.metadata().initdbLsn(), 0, 0, 0, 15, "Active", Map.of());
    return new TimelineHandle(new TimelineId(tenant, timeline), layers, new LsnWaiter(layers.lastRecordLsn()), null, Runnable::run, Duration.ofSeconds(1),
        new RecentWal(Lsn.DEFAULT_SEGMENT_SIZE), info);
  }

  private static CheckPoint checkpoint(Lsn redo) {
    return new CheckPoint(redo, 1, 1, true, 900, 20000, 1, 0, 3, 1, 1, 1, 0, 0, 0, 0);
  }
}
