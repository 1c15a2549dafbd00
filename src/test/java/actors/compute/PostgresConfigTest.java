package actors.compute;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PostgresConfigTest {
  static ComputeSettings settings(Path dir) {
    return ComputeSettingsForTests.of(dir);
  }

  @Test
  void specSettingsComeAfterTheDefaultsAndTheComputesOwnLinesComeLast() {
    ObjectNode doc = ComputeSpecTest.primary();
    ((ObjectNode) doc.get("spec").get("cluster").get("settings").get(0)).put("value", "it's \\ here");
    ((ObjectNode) doc.get("spec").get("cluster")).put("postgresql_conf", "port = 1\nsynchronous_standby_names = 'x'\n");
    String conf = PostgresConfig.postgresqlConf(ComputeSpecJson.parse(doc), settings(Path.of("/tmp/x")).withPorts(3080, 55432));
    int verbatim = conf.indexOf("port = 1");
    int defaults = conf.indexOf("max_wal_senders = 10");
    int spec = conf.indexOf("work_mem = 'it''s \\\\ here'");
    int rawSetting = conf.indexOf("max_connections = 50");
    int port = conf.indexOf("port = 55432");
    int standby = conf.indexOf("synchronous_standby_names = 'walproposer'");
    assertTrue(verbatim >= 0 && defaults > verbatim && spec > defaults && rawSetting > defaults, conf);
    assertTrue(port > spec && standby > spec, "the compute's own lines win over the spec's:\n" + conf);
    assertTrue(conf.contains("wal_level = replica"), conf);
  }

  @Test
  void aStaticComputeIsAHotStandbyWithoutTheProposer() {
    ObjectNode doc = ComputeSpecTest.primary();
    ((ObjectNode) doc.get("spec")).putObject("mode").put("Static", "0/2000000");
    String conf = PostgresConfig.postgresqlConf(ComputeSpecJson.parse(doc), settings(Path.of("/tmp/x")));
    assertTrue(conf.contains("hot_standby = on"), conf);
    assertTrue(conf.contains("strata.compute_mode = 'static'"), conf);
    assertFalse(conf.contains("walproposer"), conf);
    assertFalse(conf.contains("primary_conninfo"), "a static compute has no WAL source:\n" + conf);
  }

  @Test
  void onlyTheAdminLogsInWithoutAPassword() {
    String hba = PostgresConfig.hbaConf(settings(Path.of("/tmp/x")).withAdminUser("cloud_admin"));
    assertTrue(hba.contains("host all \"cloud_admin\" 127.0.0.1/32 trust"), hba);
    assertTrue(hba.contains("host replication \"cloud_admin\" 127.0.0.1/32 trust"), hba);
    assertTrue(hba.strip().endsWith("host all all all md5"), hba);
  }
}
