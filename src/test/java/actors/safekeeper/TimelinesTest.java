package actors.safekeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import store.wal.AcceptorState;
import store.wal.ControlFileStore;
import testkit.ActorTestKitExtension;
import wire.xlog.Lsn;

class TimelinesTest {
  @RegisterExtension static final ActorTestKitExtension testKit = new ActorTestKitExtension();
  @TempDir Path data;

  @Test
  void aCorruptControlFileIsRefusedNamingTheFileAndOthersStillLoad() throws Exception {
    TimelineId good = new TimelineId("11111111111111111111111111111111", "22222222222222222222222222222222");
    TimelineId bad = new TimelineId("11111111111111111111111111111111", "33333333333333333333333333333333");
    SafekeeperSettings settings = new SafekeeperSettings(1, data.resolve("safekeeper"), "127.0.0.1", 0, 0);
    for (TimelineId id : new TimelineId[] {good, bad}) {
      Path dir = settings.timelineDir(id.tenantId(), id.timelineId());
      Files.createDirectories(dir);
      ControlFileStore.persist(dir, AcceptorState.created(id.tenantId(), id.timelineId(), 150018, 1, 16 << 20,
          Lsn.parse("0/1000028"), 0));
    }
    Path corrupt = settings.timelineDir(bad.tenantId(), bad.timelineId()).resolve(ControlFileStore.FILE_NAME);
    byte[] bytes = Files.readAllBytes(corrupt);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(corrupt, bytes);

    var timelines = testKit.kit().spawn(Timelines.create(settings, new SafekeeperMetrics(new SimpleMeterRegistry())));
    TestProbe<Timelines.Resolved> probe = testKit.kit().createTestProbe();
    timelines.tell(new Timelines.Resolve(good, Optional.empty(), probe.ref()));
    assertTrue(probe.receiveMessage() instanceof Timelines.Found);
    timelines.tell(new Timelines.Resolve(bad, Optional.empty(), probe.ref()));
    var refused = (Timelines.NotFound) probe.receiveMessage();
    assertEquals(SkError.STORAGE, refused.failure().kind());
    assertTrue(refused.failure().message().contains(corrupt.toString()), refused.failure().message());
  }
}
