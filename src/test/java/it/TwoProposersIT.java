package it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.CliProcess;
import testkit.PostgresFixture;
import testkit.ProcessLogs;
import testkit.SafekeeperNodes;
import testkit.StrataProcess;
import wire.xlog.Lsn;

/**
 * Two proposers of one timeline: a {@code strata walproposer} that stalls (SIGSTOP) while it leads,
 * and {@code strata sync-safekeepers}, which is elected in a higher term meanwhile and finishes.
 * The stalled leader, resumed, gets nothing acknowledged in its old term: its safekeepers answer
 * with the higher term, and the commit its PostgreSQL was waiting for returns only after it won a
 * new election in a term above the other one's. The safekeepers end with the same term history
 * and the same WAL bytes up to commit_lsn.
 */
@ExtendWith(ProcessLogs.class)
class TwoProposersIT {
  private static final String TENANT = "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c";
  private static final String TIMELINE = "4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f";
  private static final Duration COMMIT = Duration.ofSeconds(30);
  private static final Pattern ELECTED = Pattern.compile("proposer elected term=(\\d+)");

  @Test
  void aStalledLeaderGetsNothingAcknowledgedInItsTermOnceAHigherTermIsElected() throws Exception {
    CliProcess leader = null;
    try (SafekeeperNodes sks = SafekeeperNodes.start(3, TENANT, TIMELINE);
        PostgresFixture pg = PostgresFixture.builder()
            .set("wal_level", "replica").set("max_wal_senders", "4").set("max_replication_slots", "4")
            .set("synchronous_standby_names", "'walproposer'").set("synchronous_commit", "on").start()) {
      leader = CliProcess.start("walproposer", sks.root().resolve("walproposer.log"), "walproposer",
          "--postgres", "postgresql://postgres@127.0.0.1:" + pg.port() + "/postgres",
          "--safekeepers", sks.proposerList(), "--tenant", TENANT, "--timeline", TIMELINE);
      Lsn acknowledged = pg.commitAsync("CREATE TABLE ledger(id int PRIMARY KEY)").get(COMMIT.toSeconds(), TimeUnit.SECONDS);
      for (int i = 1; i <= 10; i++) acknowledged = pg.commitAsync("INSERT INTO ledger VALUES (" + i + ")").get(COMMIT.toSeconds(), TimeUnit.SECONDS);
      long oldTerm = sks.term(0);
      for (int i = 1; i < 3; i++) assertEquals(oldTerm, sks.term(i), "sk" + (i + 1) + " is in the leader's term");

      leader.pause();
      CompletableFuture<Lsn> pending = pg.commitAsync("INSERT INTO ledger VALUES (100)");
      assertThrows(TimeoutException.class, () -> pending.get(3, TimeUnit.SECONDS), "a stalled leader acknowledges nothing");

      StrataProcess.Result other = StrataProcess.runCli(Duration.ofSeconds(60), "sync-safekeepers", "--safekeepers", sks.proposerList(),
          "--tenant", TENANT, "--timeline", TIMELINE, "--timeout", "40");
      assertEquals(0, other.exitCode(), "sync-safekeepers: " + other.stderr());
      Lsn synced = Lsn.parse(other.stdout().strip());
      long otherTerm = Math.max(sks.term(0), Math.max(sks.term(1), sks.term(2)));
      assertTrue(otherTerm > oldTerm, "sync-safekeepers was elected in term " + otherTerm + ", above the leader's " + oldTerm);
      assertTrue(synced.isAfter(acknowledged), "sync-safekeepers ends at " + synced + ", past the acknowledged commit at " + acknowledged);
      assertFalse(pending.isDone(), "the stalled leader's PostgreSQL still waits");

      leader.resume();
      leader.awaitLog(Duration.ofSeconds(30), "reason=HIGHER_TERM");
      Lsn pendingAt = pending.get(60, TimeUnit.SECONDS);
      long newTerm = lastElectedTerm(leader.log());
      assertTrue(newTerm > otherTerm, "the leader came back in term " + newTerm + ", above sync-safekeepers' " + otherTerm);
      assertTrue(pendingAt.isAfter(synced), "the waiting commit (at " + pendingAt + ") lies past " + synced
          + ", where the old term's WAL ends: it was acknowledged in term " + newTerm + ", not in term " + oldTerm);
      for (int i = 101; i <= 110; i++) pg.commitAsync("INSERT INTO ledger VALUES (" + i + ")").get(COMMIT.toSeconds(), TimeUnit.SECONDS);
      leader.stop();

      Lsn commit = sks.awaitSameCommitLsn(Duration.ofSeconds(60));
      JsonNode history = sks.timelineStatus(0).path("acceptor_state").path("term_history");
      for (int i = 1; i < 3; i++) {
        assertEquals(history, sks.timelineStatus(i).path("acceptor_state").path("term_history"), "sk" + (i + 1) + "'s term history");
      }
      JsonNode last = history.get(history.size() - 1);
      assertEquals(Long.toString(newTerm), last.path("term").asText(), "term history " + history);
      assertEquals(synced.toString(), last.path("lsn").asText(), "the new term starts where sync-safekeepers ended: " + history);

      Lsn start = Lsn.parse(sks.timelineStatus(0).path("timeline_start_lsn").asText());
      Lsn from = start.segmentStart(Lsn.DEFAULT_SEGMENT_SIZE);
      byte[] first = sks.wal(0, from, commit);
      for (int i = 1; i < 3; i++) assertArrayEquals(first, sks.wal(i, from, commit), "sk" + (i + 1) + "'s WAL up to " + commit);
      System.out.printf("two proposers: terms %d -> %d (sync-safekeepers at %s) -> %d; commit_lsn %s%n", oldTerm, otherTerm,
          synced, newTerm, commit);
    } finally {
      if (leader != null) leader.close();
    }
  }

  private static long lastElectedTerm(String log) {
    Matcher m = ELECTED.matcher(log);
    long term = -1;
    while (m.find()) term = Long.parseLong(m.group(1));
    return term;
  }
}
