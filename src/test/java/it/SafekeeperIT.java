package it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.PgWireClient;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.StrataProcess;
import testkit.SyntheticWal;
import testkit.TempDirs;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.pg.CopyResponse;
import wire.pg.ErrorResponse;
import wire.sk.AcceptorMessage;
import wire.sk.MembershipConfiguration;
import wire.sk.ProposerMessage;
import wire.sk.TermHistory;
import wire.xlog.Lsn;

/** A safekeeper node over real sockets: WAL pushed by a proposer, read back by pg_receivewal and pg_waldump. */
@ExtendWith(ProcessLogs.class)
class SafekeeperIT {
  private static final String TENANT = "0123456789abcdef0123456789abcdef";
  private static final String TIMELINE = "fedcba9876543210fedcba9876543210";
  private static final Lsn START = Lsn.parse("0/1000028");
  private static final int SEG = (int) Lsn.DEFAULT_SEGMENT_SIZE;
  private static final String OPTIONS = "-c tenant_id=" + TENANT + " timeline_id=" + TIMELINE;

  private static AcceptorMessage roundTrip(PgWireClient c, ProposerMessage m) throws Exception {
    c.sendCopy(m.encode());
    return next(c);
  }

  private static AcceptorMessage next(PgWireClient c) throws Exception {
    BackendMessage reply = c.receive();
    if (reply instanceof ErrorResponse e) throw new AssertionError("safekeeper refused: " + e.fields());
    return AcceptorMessage.decode(ByteBuffer.wrap(((CopyData) reply).data()));
  }

  @Test
  void pushedWalIsServedToPgReceivewalAndReadableByPgWaldump() throws Exception {
    SyntheticWal wal = SyntheticWal.records(START, 300, 2000);
    Lsn commit = wal.recordEnds().get(299);
    Path received = Files.createTempDirectory("strata-receivewal-");
    testkit.OsUser.own(received);   // pg_receivewal runs as the PostgreSQL OS user
    try (StrataProcess sk = StrataProcess.start("sk", List.of("safekeeper"), List.of(), Map.of())) {
      sk.awaitReady(Duration.ofSeconds(90));
      int pgPort = sk.json("/node").path("ports").path("strata.safekeeper.pg-port").asInt();
      try (PgWireClient proposer = PgWireClient.connect(pgPort, Map.of("user", "strata", "database", "replication", "options", OPTIONS))) {
        proposer.send(new wire.pg.Query("START_WAL_PUSH (proto_version '3')"));
        assertTrue(proposer.receive() instanceof CopyResponse.CopyBothResponse);
        var greeting = roundTrip(proposer, new ProposerMessage.ProposerGreeting(TENANT, TIMELINE, MembershipConfiguration.NONE,
            150018, SyntheticWal.SYSTEM_ID, SEG));
        assertEquals(0, ((AcceptorMessage.AcceptorGreeting) greeting).term());
        var vote = (AcceptorMessage.VoteResponse) roundTrip(proposer, new ProposerMessage.VoteRequest(0, 1));
        assertTrue(vote.voteGiven());
        proposer.sendCopy(new ProposerMessage.ProposerElected(0, 1, START, TermHistory.EMPTY.plus(1, START)).encode());
        int appends = 0;
        for (Lsn at = START; at.isBefore(wal.end()); appends++) {
          Lsn end = Lsn.min(wal.end(), at.plus(128 * 1024));
          proposer.sendCopy(new ProposerMessage.AppendRequest(0, 1, at, end, commit, START, wal.slice(at, end)).encode());
          at = end;
        }
        AcceptorMessage.AppendResponse last = null;
        while (last == null || !last.commitLsn().equals(commit)) last = (AcceptorMessage.AppendResponse) next(proposer);
        assertEquals(commit, last.flushLsn());
        assertTrue(appends > 3);
      }

      PostgresFixture.run(List.of(PostgresFixture.bin("pg_receivewal"), "--no-loop", "--no-sync", "-D", received.toString(),
          // pg_receivewal stops once it has received past --endpos, so ask for one byte less than commit_lsn
          "-E", Lsn.of(commit.value() - 1).toString(), "-d", "host=127.0.0.1 port=" + pgPort + " user=strata options='" + OPTIONS + "'"),
          Duration.ofSeconds(60));
      Path skDir = sk.dir().resolve("data/safekeeper").resolve(TENANT).resolve(TIMELINE);
      String segmentName = START.segmentFileName(1, SEG);
      byte[] ours = Files.readAllBytes(skDir.resolve(segmentName + ".partial"));
      Path got = Files.exists(received.resolve(segmentName)) ? received.resolve(segmentName) : received.resolve(segmentName + ".partial");
      byte[] theirs = Files.readAllBytes(got);
      int upTo = (int) commit.segmentOffset(SEG);
      assertArrayEquals(Arrays.copyOf(ours, upTo), Arrays.copyOf(theirs, upTo), "pg_receivewal got the safekeeper's bytes up to commit_lsn");

      Path copy = Files.createTempDirectory("strata-waldump-");
      Files.copy(skDir.resolve(segmentName + ".partial"), copy.resolve(segmentName));
      String dump = runWaldump(copy, START, commit);
      assertEquals(300, dump.lines().filter(l -> l.startsWith("rmgr: XLOG")).count(), dump.lines().limit(5).toList().toString());
      TempDirs.delete(copy);
    } finally {
      TempDirs.delete(received);
    }
  }

  @Test
  void everySafekeeperSeesEveryTimelineInTheGossip() throws Exception {
    try (StrataProcess sk1 = StrataProcess.start("sk1", List.of("safekeeper"), List.of(), Map.of())) {
      try (StrataProcess sk2 = StrataProcess.start("sk2", List.of("safekeeper"), List.of(sk1.remotingPort()), Map.of())) {
        for (StrataProcess sk : List.of(sk1, sk2)) {
          sk.awaitReady(Duration.ofSeconds(90));
          int http = sk.json("/node").path("ports").path("strata.safekeeper.http-port").asInt();
          var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + http + "/v1/tenant/timeline"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"tenant_id\":\"" + TENANT + "\",\"timeline_id\":\""
                  + TIMELINE + "\",\"pg_version\":150018,\"start_lsn\":\"0/1000028\"}")).build();
          var resp = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
          assertEquals(201, resp.statusCode(), resp.body());
        }
        int http1 = sk1.json("/node").path("ports").path("strata.safekeeper.http-port").asInt();
        StrataProcess.await(Duration.ofSeconds(60), "both safekeepers in sk1's gossip", () -> {
          try {
            var resp = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + http1 + "/v1/gossip")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            var nodes = new java.util.HashSet<String>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(resp.body()).forEach(e -> {
              if (e.path("timelineId").asText().equals(TIMELINE) && e.path("commitLsn").asText().equals("0/1000028")) {
                nodes.add(e.path("nodeId").asText());
              }
            });
            return nodes.size() == 2;
          } catch (Exception e) {
            return false;
          }
        });
      }
    }
  }

  @Test
  void badProposerInputIsRefusedWithSqlStateAndWritesNothing() throws Exception {
    try (StrataProcess sk = StrataProcess.start("sk", List.of("safekeeper"), List.of(), Map.of())) {
      sk.awaitReady(Duration.ofSeconds(90));
      int pgPort = sk.json("/node").path("ports").path("strata.safekeeper.pg-port").asInt();
      int http = sk.json("/node").path("ports").path("strata.safekeeper.http-port").asInt();
      var client = java.net.http.HttpClient.newHttpClient();
      String body = "{\"tenant_id\":\"" + TENANT + "\",\"timeline_id\":\"" + TIMELINE
          + "\",\"pg_version\":150018,\"start_lsn\":\"0/1000028\"}";
      assertEquals(201, client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + http + "/v1/tenant/timeline"))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());

      record Case(ProposerMessage first, byte[] raw, String sqlState, String mentions) {}
      List<Case> cases = List.of(
          new Case(new ProposerMessage.ProposerGreeting(TENANT, TIMELINE, MembershipConfiguration.NONE, 140005, 0, SEG), null, "0A000", "PostgreSQL 14"),
          new Case(new ProposerMessage.ProposerGreeting(TENANT, TIMELINE, MembershipConfiguration.NONE, 150018, 0, 1 << 20), null, "0A000", "1048576"),
          new Case(null, new byte[] {'g', 1, 2}, "08P01", "tenant"),
          new Case(null, new byte[] {'q'}, "08P01", "'q'"),
          new Case(new ProposerMessage.VoteRequest(0, 1), null, "08P01", "greeting"));
      for (Case c : cases) {
        try (PgWireClient proposer = PgWireClient.connect(pgPort, Map.of("user", "strata", "database", "replication", "options", OPTIONS))) {
          proposer.send(new wire.pg.Query("START_WAL_PUSH"));
          assertTrue(proposer.receive() instanceof CopyResponse.CopyBothResponse);
          proposer.sendCopy(c.first() != null ? c.first().encode() : c.raw());
          BackendMessage reply = proposer.receive();
          assertTrue(reply instanceof ErrorResponse, "an error for " + c + ", got " + reply);
          var fields = ((ErrorResponse) reply).fields();
          assertEquals(c.sqlState(), fields.sqlState(), fields.toString());
          assertTrue(fields.message().contains(c.mentions()), "names the problem: " + fields.message());
          var closed = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, proposer::receive);
          assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
      }
      var status = new com.fasterxml.jackson.databind.ObjectMapper().readTree(client.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + http + "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body());
      assertEquals("0/1000028", status.path("flush_lsn").asText(), "nothing was written: " + status);
      assertEquals("0", status.path("acceptor_state").path("term").asText(), "no vote was granted: " + status);
    }
  }

  private static String runWaldump(Path dir, Lsn start, Lsn end) {
    try {
      Process p = new ProcessBuilder(PostgresFixture.bin("pg_waldump"), "-p", dir.toString(), "-s", start.toString(), "-e", end.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
