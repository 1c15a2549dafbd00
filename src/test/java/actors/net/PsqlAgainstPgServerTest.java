package actors.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Tcp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import wire.pg.DecoderLimits;
import wire.pg.ScramVerifier;
import wire.pg.ServerAuth;

/** The real psql binary against a server made of Strata's codecs, PgCodec and PgTcp. */
class PsqlAgainstPgServerTest {
  private static final String PSQL = "/usr/lib/postgresql/15/bin/psql";
  private static final String PASSWORD = "s3cret pw";
  private static ActorTestKit testKit;
  private static Tcp.ServerBinding binding;

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create("PsqlAgainstPgServerTest");
    SecureRandom random = new SecureRandom();
    ScramVerifier verifier = ScramVerifier.fromPassword(PASSWORD, random);
    binding = PgTcp.bind(testKit.system(), "127.0.0.1", 0, DecoderLimits.DEFAULT, () -> TinyPgServer.session(user -> switch (user) {
      case "cleartext_user" -> ServerAuth.cleartext(user, PASSWORD);
      case "md5_user" -> ServerAuth.md5(user, PASSWORD, random);
      case "scram_user" -> ServerAuth.scram(user, verifier, random);
      default -> ServerAuth.trust();
    })).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  private record Result(int exit, String output) {}

  private static Result psql(String user, String password, String sslmode, String... args) throws IOException, InterruptedException {
    String conn = "host=127.0.0.1 port=" + binding.localAddress().getPort() + " user=" + user + " dbname=strata sslmode=" + sslmode
        + " gssencmode=disable connect_timeout=10";
    List<String> cmd = new ArrayList<>(List.of(PSQL, "-X", "-v", "VERBOSITY=verbose", "-d", conn));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Path out = Files.createTempFile("psql-", ".out");
    pb.redirectOutput(out.toFile());
    pb.environment().remove("PGPASSWORD");
    if (password != null) pb.environment().put("PGPASSWORD", password);
    Process p = pb.start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("psql did not finish: " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  @Test
  void psqlPrintsTheRowOfASelect() throws Exception {
    Result r = psql("trust_user", null, "disable", "-c", "select 42");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("?column?"), r.output());
    assertTrue(r.output().contains("42"), r.output());
    assertTrue(r.output().contains("(1 row)"), r.output());
  }

  @Test
  void psqlShowsTheSqlStateHintAndLocationOfAnError() throws Exception {
    Result r = psql("trust_user", null, "disable", "-c", "drop table t");
    assertEquals(1, r.exit(), r.output());
    assertTrue(r.output().contains("ERROR:  42601: tiny server cannot run \"drop table t\""), r.output());
    assertTrue(r.output().contains("HINT:  Try select 1."), r.output());
    assertTrue(r.output().contains("LOCATION:  answer, TinyPgServer.java:99"), r.output());
  }

  @Test
  void sslRequestIsRefusedAndTheSessionContinuesInClearText() throws Exception {
    Result r = psql("trust_user", null, "prefer", "-Atc", "select 7");
    assertEquals(0, r.exit(), r.output());
    assertEquals("7", r.output().trim());
  }

  @Test
  void cleartextPasswordAuthenticatesWithTheRightPasswordOnly() throws Exception {
    assertEquals("1", psql("cleartext_user", PASSWORD, "disable", "-Atc", "select 1").output().trim());
    Result wrong = psql("cleartext_user", "nope", "disable", "-Atc", "select 1");
    assertNotEquals(0, wrong.exit());
    assertTrue(wrong.output().contains("FATAL:  password authentication failed for user \"cleartext_user\""), wrong.output());
  }

  @Test
  void md5PasswordAuthenticatesWithTheRightPasswordOnly() throws Exception {
    assertEquals("1", psql("md5_user", PASSWORD, "disable", "-Atc", "select 1").output().trim());
    Result wrong = psql("md5_user", "nope", "disable", "-Atc", "select 1");
    assertNotEquals(0, wrong.exit());
    assertTrue(wrong.output().contains("FATAL:  password authentication failed for user \"md5_user\""), wrong.output());
  }

  @Test
  void scramSha256AuthenticatesWithTheRightPasswordOnly() throws Exception {
    Result ok = psql("scram_user", PASSWORD, "disable", "-Atc", "select 3");
    assertEquals(0, ok.exit(), ok.output());
    assertEquals("3", ok.output().trim());
    Result wrong = psql("scram_user", "nope", "disable", "-Atc", "select 1");
    assertNotEquals(0, wrong.exit());
    assertTrue(wrong.output().contains("FATAL:  password authentication failed for user \"scram_user\": wrong SCRAM proof"), wrong.output());
  }
}
