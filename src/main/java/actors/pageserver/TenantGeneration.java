package actors.pageserver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import store.DurableFile;

/**
 * The generation of a tenant's attachment to this pageserver (reference pageserver.md §7.3), kept
 * durably as {@code generation} in the tenant directory: every object this pageserver writes for
 * the tenant carries it. A tenant created here starts at 1; an attach takes the highest generation
 * found in object storage + 1.
 */
final class TenantGeneration {
  static final String FILE_NAME = "generation";
  private static final int MAGIC = 0x5354_4745;   // "STGE"

  private TenantGeneration() {}

  static void write(Path tenantDir, long generation) throws IOException {
    DurableFile.write(tenantDir.resolve(FILE_NAME), MAGIC, 1, ByteBuffer.allocate(8).putLong(generation).array());
  }

  /** The stored generation; a tenant made before backups existed gets 1, written now. */
  static long readOrInit(Path tenantDir) throws IOException {
    Path f = tenantDir.resolve(FILE_NAME);
    if (!Files.exists(f)) {
      write(tenantDir, 1);
      return 1;
    }
    byte[] body = DurableFile.read(f, MAGIC, 1);
    if (body.length != 8) throw new DurableFile.CorruptFile(f, "generation body of " + body.length + " bytes, expected 8");
    long g = ByteBuffer.wrap(body).getLong();
    if (g < 1 || g > 0xFFFF_FFFFL) throw new DurableFile.CorruptFile(f, "generation " + g + " is not in 1..2^32-1");
    return g;
  }
}
