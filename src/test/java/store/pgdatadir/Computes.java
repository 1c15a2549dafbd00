package store.pgdatadir;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import testkit.OsUser;
import testkit.PostgresFixture;
import wire.xlog.Lsn;

/** Test helpers: a basebackup tar on disk, and a PostgreSQL 15 whose data directory is that tar. */
final class Computes {
  private Computes() {}

  static Path writeTar(PageReader reader, BasebackupParams p, Path dir, String name) throws IOException {
    Path tar = dir.resolve(name);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 16)) {
      Basebackup.write(new Datadir(reader, p.lsn().value()), p, out);
    }
    return tar;
  }

  /**
   * A fixture (port, socket directory, log) whose data directory holds exactly the tar's files plus
   * the fixture's postgresql.conf, as a compute writes its own. Not started.
   */
  static PostgresFixture fromTar(Path tar, Map<String, String> settings) throws IOException {
    PostgresFixture.Builder b = PostgresFixture.builder().initOnly();
    settings.forEach(b::set);
    PostgresFixture pg = b.start();
    try {
      Path data = pg.dataDir();
      byte[] conf = Files.readAllBytes(data.resolve("postgresql.conf"));
      try (var all = Files.walk(data)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) if (!p.equals(data)) Files.delete(p);
      }
      Tars.extract(tar, data);
      Files.write(data.resolve("postgresql.conf"), conf);
      OsUser.own(data);
      return pg;
    } catch (IOException | RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  /** pg_waldump output (stdout and stderr); it exits non-zero at the end of valid WAL, which is normal. */
  static String waldump(Path pgWal, Lsn start) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(PostgresFixture.bin("pg_waldump"), "-p", pgWal.toString(), "-s", start.toString()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("pg_waldump did not finish: " + out);
    }
    return out;
  }

  /** "0/0155F3B0", as pg_waldump prints an LSN. */
  static String dumpLsn(Lsn l) {
    return String.format("%X/%08X", l.value() >>> 32, l.value() & 0xFFFF_FFFFL);
  }
}
