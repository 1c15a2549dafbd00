package actors.compute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <endpoint dir>/spec.json}: the configuration document the compute last accepted, read at
 * start and by /refresh_configuration. Writes run one after another on the blocking executor,
 * each replacing the file atomically; a read waits for the writes queued before it.
 */
final class SpecFile {
  private static final Logger log = LoggerFactory.getLogger(SpecFile.class);

  private final Path file;
  private final Executor blocking;
  private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);

  SpecFile(Path file, Executor blocking) {
    this.file = file;
    this.blocking = blocking;
  }

  Path path() {
    return file;
  }

  /** The file's text; empty when there is no file. */
  CompletionStage<Optional<String>> read() {
    return writes.thenApplyAsync(v -> {
      try {
        return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, blocking);
  }

  /** Queues a write; a failure is logged (the running compute does not depend on the file). */
  void write(ComputeSpec spec) {
    String text = ComputeSpecJson.write(spec);
    writes = writes.thenRunAsync(() -> {
      try {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, TarUnpacker.FILE_MODE);   // it may hold the pageserver's password
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, blocking).exceptionally(e -> {
      log.warn("cannot write {}: {}", file, Failures.rootMessage(e));
      return null;
    });
  }
}
