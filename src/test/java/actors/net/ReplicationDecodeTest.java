package actors.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.TempDirs;
import wire.pg.CopyData;
import wire.pg.CopyResponse;
import wire.pg.DataRow;
import wire.pg.IdentifySystemResult;
import wire.pg.PgTime;
import wire.pg.Query;
import wire.pg.ReplicationMessage;
import wire.xlog.BlockRef;
import wire.xlog.Decoding;
import wire.xlog.Lsn;
import wire.xlog.WalDecoder;
import wire.xlog.WalRecord;
import wire.xlog.WalWorkload;

/**
 * WAL streamed by a real PostgreSQL 15 walsender while the workload runs, decoded as it arrives
 * (chunks end wherever the server's flushes ended, often inside a record), gives exactly the
 * records that decoding the same range of the pg_wal segment files gives.
 */
@ExtendWith(ProcessLogs.class)
class ReplicationDecodeTest {
  private static final long SEGMENT = Lsn.DEFAULT_SEGMENT_SIZE;
  private static ActorTestKit testKit;
  private static PostgresFixture pg;
  private static Path root;

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create("ReplicationDecodeTest");
    // an idle walsender asks for a reply after half of this, which ends the wait for the last WAL
    pg = WalWorkload.server().set("wal_sender_timeout", "'10s'").start();
    root = Files.createTempDirectory("strata-replication-decode-");
  }

  @AfterAll
  static void stop() {
    if (pg != null) pg.close();
    TempDirs.delete(root);
    testKit.shutdownTestKit();
  }

  @Test
  void streamedWalDecodesToTheSameRecordsAsTheSegmentFiles() throws Exception {
    try (PgClientConnection c = PgClientConnection.open(testKit.system(), pg.port(),
        Map.of("user", PostgresFixture.SUPERUSER, "database", "replication", "replication", "true"), "")) {
      c.send(new Query("IDENTIFY_SYSTEM"));
      IdentifySystemResult id = IdentifySystemResult.fromRow((DataRow) c.receiveUntilReady().get(1));
      Lsn start = id.xlogpos().segmentStart(SEGMENT);
      c.send(new Query("START_REPLICATION PHYSICAL " + start + " TIMELINE 1"));
      assertInstanceOf(CopyResponse.CopyBothResponse.class, c.receive());

      CompletableFuture<WalWorkload.Result> workload = CompletableFuture.supplyAsync(() -> {
        try {
          return WalWorkload.run(pg, root.resolve("wal"));
        } catch (Exception e) {
          throw new CompletionException(e);
        }
      });
      StreamedRecords streamed = new StreamedRecords(start);
      while (!workload.isDone() || streamed.received.isBefore(workload.join().end())) streamed.receive(c);
      WalWorkload.Result wal = workload.join();
      List<WalRecord> fromFiles = Decoding.all(WalDecoder.startingAt(start, SEGMENT), wal.readAll(), wal.start(), start,
          wal.end(), () -> Integer.MAX_VALUE);

      List<WalRecord> fromStream = streamed.records.stream().filter(r -> r.endLsnValue() <= wal.end().value()).toList();
      assertTrue(fromFiles.size() > 10_000, fromFiles.size() + " records");
      assertTrue(streamed.splitInsideAPage > 10, streamed.splitInsideAPage + " chunks ended inside a page");
      assertEquals(fromFiles.size(), fromStream.size(), "record count");
      for (int i = 0; i < fromFiles.size(); i++) {
        assertEquals(describe(fromFiles.get(i)), describe(fromStream.get(i)), "record #" + i);
      }
    }
  }

  /** Feeds every XLogData to a decoder as it arrives and keeps the records. */
  private static final class StreamedRecords {
    final WalDecoder decoder;
    final List<WalRecord> records = new ArrayList<>();
    Lsn received;
    int splitInsideAPage;

    StreamedRecords(Lsn start) {
      decoder = WalDecoder.startingAt(start, SEGMENT);
      received = start;
    }

    void receive(PgClientConnection c) throws Exception {
      ReplicationMessage m = ReplicationMessage.decode(((CopyData) c.receive()).data());
      if (m instanceof ReplicationMessage.XLogData x) {
        assertEquals(received, x.start(), "XLogData continues where the last one ended");
        decoder.feed(ByteBuffer.wrap(x.data()));
        received = x.dataEnd();
        if (received.pageOffset() != 0) splitInsideAPage++;
        for (WalRecord r; (r = decoder.next()) != null; ) records.add(r);
      } else if (m instanceof ReplicationMessage.PrimaryKeepalive k && k.replyRequested()) {
        c.send(new ReplicationMessage.StandbyStatusUpdate(received, received, received, PgTime.now(), false).toCopyData());
      }
    }
  }

  /** Everything the decoder reports about a record, block references in full. */
  private static String describe(WalRecord r) {
    return "lsn=" + r.lsn() + " end=" + r.endLsn() + " prev=" + r.prev() + " rmgr=" + r.rmid()
        + String.format(" info=0x%02X", r.info()) + " xid=" + Integer.toUnsignedString(r.xid()) + " len=" + r.totalLength()
        + " main=" + r.mainDataLength() + " origin=" + r.origin() + " top=" + r.toplevelXid() + " crcOfRaw=" + crc(r.raw())
        + " blocks=" + r.blocks().stream().map(ReplicationDecodeTest::describe).collect(Collectors.joining(","));
  }

  private static String describe(BlockRef b) {
    return b.id() + ":" + b + String.format("/flags=0x%02X", b.flags()) + "/data=" + b.dataLength()
        + (b.hasImage() ? "/image=" + b.image().length() + "@" + b.image().holeOffset() + "+" + b.image().holeLength()
            + String.format("/0x%02X", b.image().info()) : "");
  }

  private static long crc(ByteBuffer raw) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(raw);
    return crc.getValue();
  }
}
