package actors.compute;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import testkit.Ports;

/** The warm-up runs every rehearsal even when its HTTP request finds nobody, and says what it did. */
class StartPathWarmupTest {
  @Test
  void everyRehearsalRunsAndIsReported() {
    String what = StartPathWarmup.run("127.0.0.1", Ports.free());
    assertTrue(what.startsWith("http=ConnectException"), what);
    assertTrue(what.contains("6 pgjdbc classes"), what);
    assertTrue(what.contains("safekeeper check rehearsed (0/1000028)"), what);
    assertTrue(what.contains("spec round trip primary"), what);
  }
}
