package actors.pageserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import store.redo.WalRedoSettings;

class WalRedoPoolSettingsTest {
  private static final Path DATA = Path.of("/var/lib/strata");

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
  }

  @Test
  void defaultsAreTwoProcessesWithASixtySecondTimeoutUnderTheDataDir() {
    WalRedoPoolSettings s = WalRedoPoolSettings.from(config(""), DATA);
    assertEquals(2, s.processes());
    assertEquals(Duration.ofSeconds(60), s.timeout());
    assertEquals(Duration.ofSeconds(180), s.askTimeout());
    assertEquals(WalRedoSettings.defaultOsUser(), s.osUser());
    assertEquals(new WalRedoSettings(Path.of(ConfigFactory.load().getString("strata.postgres.bin-dir")), s.osUser(), DATA.resolve("pageserver/walredo/1"), Duration.ofSeconds(60)),
        s.worker(1));
  }

  @Test
  void keysOverrideTheDefaults() {
    WalRedoPoolSettings s = WalRedoPoolSettings.from(config(
        "strata.pageserver.walredo-processes = 4, strata.pageserver.walredo-timeout = 5s, strata.postgres.os-user = pg"), DATA);
    assertEquals(4, s.processes());
    assertEquals(Duration.ofSeconds(5), s.timeout());
    assertEquals("pg", s.osUser());
  }

  @Test
  void badValuesNameTheKey() {
    assertEquals("strata.pageserver.walredo-processes = 0 is outside 1-64", assertThrows(IllegalArgumentException.class,
        () -> WalRedoPoolSettings.from(config("strata.pageserver.walredo-processes = 0"), DATA)).getMessage());
    assertEquals("strata.pageserver.walredo-processes must be a number (1-64), got \"two\"", assertThrows(IllegalArgumentException.class,
        () -> WalRedoPoolSettings.from(config("strata.pageserver.walredo-processes = two"), DATA)).getMessage());
    assertEquals("strata.pageserver.walredo-timeout must be a duration such as 60s, got \"soon\"", assertThrows(IllegalArgumentException.class,
        () -> WalRedoPoolSettings.from(config("strata.pageserver.walredo-timeout = soon"), DATA)).getMessage());
  }
}
