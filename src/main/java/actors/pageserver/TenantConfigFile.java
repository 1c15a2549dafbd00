package actors.pageserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import store.DurableFile;

/**
 * {@code tenants/<t>/tenant.conf}: the tenant's config overrides as a JSON object in a {@link
 * DurableFile} (magic, version, CRC-32C, atomic replace). The file's presence marks a tenant directory.
 */
final class TenantConfigFile {
  static final String FILE_NAME = "tenant.conf";
  private static final int MAGIC = 0x5354_544e;   // "STTN"
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TenantConfigFile() {}

  static ObjectNode load(Path tenantDir) throws IOException {
    Path file = tenantDir.resolve(FILE_NAME);
    JsonNode n;
    try {
      n = MAPPER.readTree(DurableFile.read(file, MAGIC, 1));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new DurableFile.CorruptFile(file, "not JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) throw new DurableFile.CorruptFile(file, "not a JSON object");
    return (ObjectNode) n;
  }

  static void save(Path tenantDir, JsonNode overrides) throws IOException {
    DurableFile.write(tenantDir.resolve(FILE_NAME), MAGIC, 1, MAPPER.writeValueAsBytes(overrides));
  }

  static ObjectNode empty() {
    return MAPPER.createObjectNode();
  }
}
