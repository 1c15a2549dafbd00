package actors.safekeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import store.wal.AcceptorState;
import store.wal.ControlFileStore;
import testkit.ActorTestKitExtension;
import wire.xlog.Lsn;

class SafekeeperApiTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  @TempDir Path data;

  @Test
  void theStatusOfATimelineWithACorruptControlFileIsAStorageFailureNamingTheFile() throws Exception {
    TimelineId bad = new TimelineId("44444444444444444444444444444444", "55555555555555555555555555555555");
    TimelineId unknown = new TimelineId("44444444444444444444444444444444", "66666666666666666666666666666666");
    SafekeeperSettings settings = new SafekeeperSettings(1, data.resolve("safekeeper"), "127.0.0.1", 0, 0);
    Path dir = settings.timelineDir(bad.tenantId(), bad.timelineId());
    Files.createDirectories(dir);
    ControlFileStore.persist(dir, AcceptorState.created(bad.tenantId(), bad.timelineId(), 150018, 1, 16 << 20, Lsn.parse("0/1000028"), 0));
    Path control = dir.resolve(ControlFileStore.FILE_NAME);
    byte[] bytes = Files.readAllBytes(control);
    Files.write(control, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    var timelines = testKit.kit().spawn(Timelines.create(settings, new SafekeeperMetrics(new SimpleMeterRegistry())));
    SafekeeperApi api = new SafekeeperApi(testKit.kit().system(), timelines, settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));

    SafekeeperApi.StatusReply broken = api.status(bad).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(broken.status().isEmpty());
    assertEquals(SkError.STORAGE, broken.failure().orElseThrow().kind());
    assertTrue(broken.failure().orElseThrow().message().contains(control.toString()), broken.failure().orElseThrow().message());

    SafekeeperApi.StatusReply missing = api.status(unknown).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(SkError.UNKNOWN_TIMELINE, missing.failure().orElseThrow().kind());
  }
}
