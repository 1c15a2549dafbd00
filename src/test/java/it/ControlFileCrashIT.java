package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.PgWireClient;
import testkit.ProcessLogs;
import testkit.SafekeeperNodes;
import testkit.SyntheticWal;
import wire.pg.BackendMessage;
import wire.pg.CopyData;
import wire.pg.CopyResponse;
import wire.pg.ErrorResponse;
import wire.pg.Query;
import wire.sk.AcceptorMessage;
import wire.sk.AcceptorMessage.VoteResponse;
import wire.sk.MembershipConfiguration;
import wire.sk.ProposerMessage;
import wire.xlog.Lsn;

/**
 * A safekeeper node killed with SIGKILL, whose {@code safekeeper.control} is then damaged as a crash
 * or a bad disk could leave it. A leftover {@code safekeeper.control.tmp} full of garbage is
 * ignored: the term it voted for survives. A truncated control file makes the node refuse the
 * timeline, over HTTP and to a proposer, naming the file; it never grants that term again.
 */
@ExtendWith(ProcessLogs.class)
class ControlFileCrashIT {
  private static final String TENANT = "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a";
  private static final String TIMELINE = "8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e8e";
  private static final String OPTIONS = "-c tenant_id=" + TENANT + " timeline_id=" + TIMELINE;
  private static final long TERM = 7;

  @Test
  void aLeftoverTmpFileIsIgnoredAndTheVotedTermSurvives() throws Exception {
    try (SafekeeperNodes sks = SafekeeperNodes.start(1, TENANT, TIMELINE)) {
      assertTrue(vote(sks, TERM).voteGiven(), "a fresh timeline grants term " + TERM);
      sks.kill(0);
      Path tmp = sks.timelineDir(0).resolve("safekeeper.control.tmp");
      byte[] garbage = new byte[300];
      new Random(42).nextBytes(garbage);
      Files.write(tmp, garbage);

      sks.restart(0);
      assertEquals(TERM, sks.term(0), "the term voted for before the crash");
      VoteResponse again = vote(sks, TERM);
      assertFalse(again.voteGiven(), "term " + TERM + " was granted before the crash and is not granted twice");
      assertEquals(TERM, again.term());
      assertTrue(vote(sks, TERM + 1).voteGiven(), "a higher term is granted");
      assertEquals(TERM + 1, sks.term(0));
    }
  }

  @Test
  void aTruncatedControlFileIsRefusedNamingTheFile() throws Exception {
    try (SafekeeperNodes sks = SafekeeperNodes.start(1, TENANT, TIMELINE)) {
      assertTrue(vote(sks, TERM).voteGiven(), "a fresh timeline grants term " + TERM);
      sks.kill(0);
      Path control = sks.timelineDir(0).resolve("safekeeper.control");
      try (FileChannel ch = FileChannel.open(control, StandardOpenOption.WRITE)) {
        ch.truncate(ch.size() / 2);
      }

      sks.restart(0);
      SafekeeperNodes.HttpResult status = sks.get(0, "/v1/tenant/" + TENANT + "/timeline/" + TIMELINE);
      assertNotEquals(200, status.status(), status.body());
      assertNotEquals(404, status.status(), "the timeline exists but cannot be read: " + status.body());
      assertTrue(status.body().contains(control.toString()), "the HTTP error names " + control + ": " + status.body());

      String refusal = refusalOfGreeting(sks);
      assertTrue(refusal.contains(control.toString()), "the proposer's error names " + control + ": " + refusal);
      assertTrue(Files.exists(control), "the damaged file is left for the operator");
    }
  }

  /** A proposer's greeting and VoteRequest for {@code term}; fails if the safekeeper refuses the connection. */
  private static VoteResponse vote(SafekeeperNodes sks, long term) throws Exception {
    try (PgWireClient c = proposer(sks)) {
      BackendMessage greeting = greet(c);
      if (greeting instanceof ErrorResponse e) throw new AssertionError("greeting refused: " + e.fields());
      c.sendCopy(new ProposerMessage.VoteRequest(0, term).encode());
      BackendMessage reply = c.receive();
      if (reply instanceof ErrorResponse e) throw new AssertionError("vote refused: " + e.fields());
      return (VoteResponse) AcceptorMessage.decode(ByteBuffer.wrap(((CopyData) reply).data()));
    }
  }

  /** The message of the error a proposer's greeting gets. */
  private static String refusalOfGreeting(SafekeeperNodes sks) throws Exception {
    try (PgWireClient c = proposer(sks)) {
      BackendMessage reply = greet(c);
      if (reply instanceof ErrorResponse e) return e.fields().message();
      throw new AssertionError("the greeting was answered with " + reply);
    }
  }

  private static PgWireClient proposer(SafekeeperNodes sks) throws Exception {
    return PgWireClient.connect(sks.pgPort(0), Map.of("user", "strata", "database", "replication", "options", OPTIONS));
  }

  private static BackendMessage greet(PgWireClient c) throws Exception {
    c.send(new Query("START_WAL_PUSH (proto_version '3')"));
    BackendMessage started = c.receive();
    if (!(started instanceof CopyResponse.CopyBothResponse)) return started;
    c.sendCopy(new ProposerMessage.ProposerGreeting(TENANT, TIMELINE, MembershipConfiguration.NONE, 150018, SyntheticWal.SYSTEM_ID,
        (int) Lsn.DEFAULT_SEGMENT_SIZE).encode());
    return c.receive();
  }
}
