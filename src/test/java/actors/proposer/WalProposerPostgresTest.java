package actors.proposer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import actors.safekeeper.InProcessSafekeeper;
import actors.safekeeper.TimelineStatus;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import testkit.ActorTestKitExtension;
import testkit.PostgresFixture;
import wire.xlog.Lsn;

/**
 * Normal mode against a real PostgreSQL 15 with {@code synchronous_standby_names = 'walproposer'}
 * and three in-process safekeepers: commits return only while the proposer runs, and what they
 * wrote is on a quorum; sync-safekeepers afterwards ends at or past every acknowledged commit.
 */
class WalProposerPostgresTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  private static final String TENANT = "33333333333333333333333333333333";
  private static final String TIMELINE = "44444444444444444444444444444444";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private static PostgresFixture postgres() {
    return PostgresFixture.builder()
        .set("wal_level", "replica")
        .set("max_wal_senders", "4")
        .set("max_replication_slots", "4")
        .set("synchronous_standby_names", "'walproposer'")
        .set("synchronous_commit", "on")
        .set("password_encryption", "'scram-sha-256'")
        .hba("host all proposer 127.0.0.1/32 scram-sha-256")
        .hba("host replication proposer 127.0.0.1/32 scram-sha-256")
        .start();
  }

  @Test
  void commitsReturnOnlyWhileTheProposerRunsAndSyncEndsPastThem() throws Exception {
    try (PostgresFixture pg = postgres();
         InProcessSafekeeper sk1 = InProcessSafekeeper.start(testKit.kit(), dir.resolve("sk1"), 1);
         InProcessSafekeeper sk2 = InProcessSafekeeper.start(testKit.kit(), dir.resolve("sk2"), 2);
         InProcessSafekeeper sk3 = InProcessSafekeeper.start(testKit.kit(), dir.resolve("sk3"), 3)) {
      pg.psql("SET synchronous_commit = local; CREATE ROLE proposer SUPERUSER LOGIN PASSWORD 'pw secret'");
      InProcessSafekeeper[] sks = {sk1, sk2, sk3};
      List<ProposerSettings.Endpoint> endpoints = List.of(sks).stream()
          .map(sk -> new ProposerSettings.Endpoint("127.0.0.1", sk.port())).toList();
      PostgresUrl url = PostgresUrl.parse("postgresql://proposer:pw%20secret@127.0.0.1:" + pg.port() + "/postgres");
      ProposerSettings settings = ProposerSettings.of(endpoints, TENANT, TIMELINE, Optional.of(url));

      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        CompletableFuture<Lsn> blocked = commitAsync(pg, "CREATE TABLE ledger(id int primary key, note text)");
        assertThrows(TimeoutException.class, () -> blocked.get(3, TimeUnit.SECONDS), "no commit returns without the proposer");

        ActorRef<WalProposer.Command> proposer = testKit.kit().spawn(WalProposer.normal(settings), "proposer-1");
        Lsn first = blocked.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Lsn last = first;
        for (int i = 0; i < 50; i++) last = commitAsync(pg, "INSERT INTO ledger VALUES (" + i + ", repeat('x', 2000))").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertOnQuorum(sks, last);

        sk3.stop();
        for (int i = 50; i < 60; i++) last = commitAsync(pg, "INSERT INTO ledger VALUES (" + i + ", 'two of three')").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertOnQuorum(new InProcessSafekeeper[] {sk1, sk2}, last);

        TestProbe<WalProposer.Status> status = testKit.kit().createTestProbe();
        proposer.tell(new WalProposer.GetStatus(status.ref()));
        WalProposer.Status st = status.receiveMessage();
        assertEquals(Election.Phase.ELECTED, st.phase());
        assertTrue(st.commitLsn().isAfter(last), "commit_lsn " + st.commitLsn() + " covers the last commit " + last);

        testKit.kit().stop(proposer);
        CompletableFuture<Lsn> waiting = commitAsync(pg, "INSERT INTO ledger VALUES (1000, 'waits')");
        assertThrows(TimeoutException.class, () -> waiting.get(3, TimeUnit.SECONDS), "the proposer is gone: commits wait");

        sk3.start();
        ActorRef<WalProposer.Command> again = testKit.kit().spawn(WalProposer.normal(settings), "proposer-2");
        last = waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertOnQuorum(sks, last);
        testKit.kit().stop(again);

        TestProbe<WalProposer.SyncOutcome> outcome = testKit.kit().createTestProbe();
        testKit.kit().spawn(WalProposer.sync(ProposerSettings.of(endpoints, TENANT, TIMELINE, Optional.empty()), outcome.ref()));
        Lsn synced = ((WalProposer.Synced) outcome.receiveMessage(WAIT)).lsn();
        assertTrue(synced.isAfter(last), "sync-safekeepers ends at " + synced + ", past the last acknowledged commit " + last);
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM ledger")) {
          rs.next();
          assertEquals(61, rs.getInt(1));
        }
      }
    }
  }

  /**
   * Runs one statement in a transaction on its own connection; completes when COMMIT returns, with
   * the WAL insert position just before COMMIT: the commit record ends after it.
   */
  static CompletableFuture<Lsn> commitAsync(PostgresFixture pg, String sql) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres")); Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute(sql);
        Lsn beforeCommit;
        try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
          rs.next();
          beforeCommit = Lsn.parse(rs.getString(1));
        }
        c.commit();
        return beforeCommit;
      } catch (Exception e) {
        throw new IllegalStateException(sql + ": " + e.getMessage(), e);
      }
    });
  }

  /** At least two safekeepers hold WAL past {@code lsn}, which is below the end of an acknowledged commit record. */
  private static void assertOnQuorum(InProcessSafekeeper[] sks, Lsn lsn) {
    int holding = 0;
    StringBuilder seen = new StringBuilder();
    for (InProcessSafekeeper sk : sks) {
      TimelineStatus s = sk.status(TENANT, TIMELINE);
      if (s == null) continue;
      seen.append(' ').append(sk.address()).append('=').append(s.flushLsn());
      if (s.flushLsn().isAfter(lsn)) holding++;
    }
    assertTrue(holding >= 2, "WAL up to " + lsn + " must be on two safekeepers; flush positions:" + seen);
  }

  private static void assertThrows(Class<? extends Throwable> type, org.junit.jupiter.api.function.Executable e, String why) {
    org.junit.jupiter.api.Assertions.assertThrows(type, e, why);
  }
}
