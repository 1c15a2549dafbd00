package actors.compute;

import java.nio.file.Path;
import java.time.Duration;
import store.redo.RunAs;
import testkit.PostgresFixture;

/** Compute settings for tests: short timeouts, the test PostgreSQL binaries, admin user {@code postgres}. */
final class ComputeSettingsForTests {
  private ComputeSettingsForTests() {}

  static ComputeSettings of(Path endpointDir) {
    return new ComputeSettings("test", endpointDir, "127.0.0.1", 0, 0, PostgresFixture.BIN_DIR, RunAs.defaultUser(), "postgres",
        Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMillis(100),
        Duration.ofSeconds(120), Duration.ofMillis(200));
  }
}
