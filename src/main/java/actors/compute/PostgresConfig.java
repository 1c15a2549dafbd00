package actors.compute;

import actors.compute.ComputeSpec.GenericOption;
import actors.proposer.ProposerSettings.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import store.redo.RunAs;

/**
 * Startup step 4 (and every reconfiguration): postgresql.conf, pg_hba.conf and, for a standby,
 * standby.signal, written fresh over whatever the basebackup held. postgresql.conf is, in order:
 * the spec's {@code postgresql_conf} text, the compute's defaults, the spec's settings (which may
 * change those defaults), and last the lines the compute relies on, which therefore always win:
 * where PostgreSQL listens, and for a primary {@code synchronous_standby_names = 'walproposer'}.
 */
final class PostgresConfig {
  /** The replication slot and standby name the proposer uses. */
  static final String PROPOSER = "walproposer";

  private PostgresConfig() {}

  static void write(Path pgdata, ComputeSpec spec, ComputeSettings settings) throws IOException {
    replace(pgdata.resolve("postgresql.conf"), postgresqlConf(spec, settings), settings.osUser());
    replace(pgdata.resolve("pg_hba.conf"), hbaConf(settings), settings.osUser());
    Path signal = pgdata.resolve("standby.signal");
    if (spec.mode().isPrimary()) {
      Files.deleteIfExists(signal);
    } else {
      replace(signal, "", settings.osUser());
    }
  }

  static String postgresqlConf(ComputeSpec spec, ComputeSettings settings) {
    StringBuilder b = new StringBuilder("# Written by the Strata compute at every start and reconfiguration; edits here are lost.\n");
    if (!spec.postgresqlConf().isBlank()) {
      b.append("\n# spec: cluster.postgresql_conf\n").append(spec.postgresqlConf().stripTrailing()).append('\n');
    }
    b.append("\n# compute defaults\n");
    line(b, "wal_level", "replica");
    line(b, "max_wal_senders", "10");
    line(b, "max_replication_slots", "10");
    line(b, "restart_after_crash", "off");   // a crashed postgres ends the compute instead of recovering locally
    line(b, "max_prepared_transactions", "64");   // two-phase commit works out of the box
    line(b, "lc_messages", quote("C"));
    if (!spec.settings().isEmpty()) {
      b.append("\n# spec: cluster.settings\n");
      for (GenericOption o : spec.settings()) line(b, o.name(), o.quoted() ? quote(o.value().orElseThrow()) : o.value().orElseThrow());
    }
    b.append("\n# managed by the compute: these lines win\n");
    line(b, "listen_addresses", quote(listenAddresses(settings)));
    line(b, "port", Integer.toString(settings.pgPort()));
    line(b, "unix_socket_directories", quote(""));
    line(b, "strata.tenant_id", quote(spec.tenantId()));
    line(b, "strata.timeline_id", quote(spec.timelineId()));
    line(b, "strata.compute_mode", quote(spec.mode().word()));
    if (spec.mode().isPrimary()) {
      line(b, "synchronous_standby_names", quote(PROPOSER));
    } else {
      line(b, "hot_standby", "on");
      if (spec.mode() instanceof ComputeMode.Replica && !spec.safekeepers().isEmpty()) {
        line(b, "primary_conninfo", quote(replicaConninfo(spec)));
      }
    }
    return b.toString();
  }

  static String hbaConf(ComputeSettings settings) {
    String admin = "\"" + settings.adminUser().replace("\"", "\"\"") + "\"";
    StringBuilder b = new StringBuilder("# Written by the Strata compute at every start; edits here are lost.\n");
    b.append("# The compute logs in as its admin over loopback without a password; everyone else needs one.\n");
    for (String db : new String[] {"all", "replication"}) {
      b.append("host ").append(db).append(' ').append(admin).append(" 127.0.0.1/32 trust\n");
      b.append("host ").append(db).append(' ').append(admin).append(" ::1/128 trust\n");
      if (!settings.localHost().equals("127.0.0.1") && !settings.localHost().contains(":")) {
        b.append("host ").append(db).append(' ').append(admin).append(' ').append(settings.localHost()).append("/32 trust\n");
      }
    }
    b.append("host all all all md5\n");   // md5 also accepts SCRAM verifiers, so both kinds of spec password work
    return b.toString();
  }

  private static String listenAddresses(ComputeSettings settings) {
    String host = settings.listenHost();
    return host.equals("0.0.0.0") || host.equals("::") || host.isEmpty() ? "*" : host;
  }

  /** A replica streams WAL from the first safekeeper, naming its timeline in the startup options. */
  private static String replicaConninfo(ComputeSpec spec) {
    Endpoint sk = spec.safekeepers().get(0);
    return "host=" + sk.host() + " port=" + sk.port() + " options='-c tenant_id=" + spec.tenantId()
        + " timeline_id=" + spec.timelineId() + "' application_name=replica";
  }

  private static void line(StringBuilder b, String name, String value) {
    b.append(name).append(" = ").append(value).append('\n');
  }

  /** A postgresql.conf string literal. */
  static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /** Written beside the target and renamed over it, so a crash leaves the old file or the new one. */
  private static void replace(Path target, String text, String owner) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(tmp, TarUnpacker.FILE_MODE);
    RunAs.own(owner, tmp);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
