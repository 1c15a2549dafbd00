package actors.compute;

import actors.proposer.PostgresUrl;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import store.FileTrees;
import store.redo.RunAs;
import wire.xlog.Lsn;

/**
 * The real startup steps on this machine: the pageserver (or another {@link BasebackupSource}),
 * a pgdata under the endpoint directory owned by the PostgreSQL OS user, {@link PostgresProcess},
 * and SQL over pgjdbc. Blocking work runs on the {@code strata.blocking-io} dispatcher.
 */
public final class LocalComputeSteps implements ComputeSteps {
  private final ActorSystem<?> system;
  private final ComputeSettings settings;
  private final Function<ComputeSpec, BasebackupSource> sources;
  private final Executor blocking;

  /** {@code sources} gives the basebackup source of a spec: {@link #pageserver} in a node, anything in tests. */
  public LocalComputeSteps(ActorSystem<?> system, ComputeSettings settings, Function<ComputeSpec, BasebackupSource> sources) {
    this.system = system;
    this.settings = settings;
    this.sources = sources;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("strata.blocking-io"));
  }

  /** The source a node uses: the spec's pageserver. */
  public static Function<ComputeSpec, BasebackupSource> pageserver(ComputeSettings settings) {
    return spec -> new PageserverClient(spec.pageserver(), settings.pageserverIo());
  }

  @Override
  public CompletionStage<Lsn> waitForPageserver(ComputeSpec spec, Lsn atLeast) {
    if (spec.mode().isPrimary()) {
      return PageserverWait.awaitPrimary(system, sources.apply(spec), spec.tenantId(), spec.timelineId(), atLeast, settings.pageserverWait());
    }
    return PageserverWait.await(system, sources.apply(spec), spec.tenantId(), spec.timelineId(), atLeast, settings.pageserverWait());
  }

  @Override
  public CompletionStage<Long> basebackup(ComputeSpec spec, Lsn lsn) {
    return blocking(() -> {
      Path pgdata = settings.pgdata();
      Files.createDirectories(settings.endpointDir());
      FileTrees.delete(pgdata);   // first, so the walk below does not visit the old data directory's files
      RunAs.own(settings.osUser(), settings.endpointDir());
      UserPrincipal owner = RunAs.ownerOrNull(settings.osUser(), pgdata);
      Files.createDirectory(pgdata, PosixFilePermissions.asFileAttribute(TarUnpacker.DIR_MODE));
      if (owner != null) Files.setOwner(pgdata, owner);
      long bytes;
      boolean readOnly = spec.mode() instanceof ComputeMode.Static;
      try (InputStream tar = sources.apply(spec).open(spec.tenantId(), spec.timelineId(), lsn, readOnly)) {
        bytes = TarUnpacker.unpack(tar, pgdata, owner);   // owner and mode set as each file is made: no second walk
      }
      WalPadding.pad(pgdata);   // the source may leave the zeros at the end of the WAL segment out
      Files.deleteIfExists(pgdata.resolve("postmaster.pid"));   // a copy of a running server's directory may carry one
      Path wal = pgdata.resolve("pg_wal");
      if (!Files.isDirectory(wal)) {
        Files.createDirectory(wal, PosixFilePermissions.asFileAttribute(TarUnpacker.DIR_MODE));
        if (owner != null) Files.setOwner(wal, owner);
      }
      return bytes;
    });
  }

  @Override
  public CompletionStage<Void> writeConfig(ComputeSpec spec) {
    return blocking(() -> {
      PostgresConfig.write(settings.pgdata(), spec, settings);
      return null;
    });
  }

  @Override
  public CompletionStage<Postgres> startPostgres(ComputeSpec spec) {
    return PostgresProcess.start(system, settings, blocking).thenApply(p -> p);
  }

  @Override
  public CompletionStage<Void> applySpec(ComputeSpec spec) {
    return blocking(() -> {
      SpecApplier.apply(adminUrl(), spec);
      return null;
    });
  }

  @Override
  public PostgresUrl adminUrl() {
    return new PostgresUrl(settings.localHost(), settings.pgPort(), settings.adminUser(), null, "postgres");
  }

  @Override
  public ActivitySource activitySource() {
    return new PgActivitySource(adminUrl());
  }

  private interface Work<T> {
    T run() throws IOException, SQLException;
  }

  private <T> CompletionStage<T> blocking(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.run();
      } catch (IOException e) {
        throw new CompletionException(new UncheckedIOException(e.getMessage(), e));
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, blocking);
  }
}
