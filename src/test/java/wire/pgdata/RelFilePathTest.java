package wire.pgdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import wire.WireFormatException;

class RelFilePathTest {
  @Test
  void parsesEveryDirectoryForkAndSegmentAndFormatsBack() throws Exception {
    List<String> paths = List.of("global/1262", "global/1262_fsm", "base/5/16384", "base/5/16384_vm", "base/5/16384_init",
        "base/16390/4294967295.7", "pg_tblspc/16500/PG_15_202209061/5/16384_fsm.2");
    for (String p : paths) assertEquals(p, RelFilePath.parse(p).format());
    assertEquals(new RelFilePath(new RelTag(1663, 5, 16384, ForkNumber.VM), 0), RelFilePath.parse("base/5/16384_vm"));
    assertEquals(new RelFilePath(new RelTag(1664, 0, 1262, ForkNumber.MAIN), 0), RelFilePath.parse("global/1262"));
    assertEquals(new RelFilePath(new RelTag(16500, 5, 16384, ForkNumber.FSM), 2),
        RelFilePath.parse("pg_tblspc/16500/PG_15_202209061/5/16384_fsm.2"));
    assertEquals(-1, RelFilePath.parse("base/16390/4294967295.7").rel().relNode());
  }

  @Test
  void blocksMapToGigabyteSegments() {
    RelTag rel = new RelTag(1663, 5, 16384, ForkNumber.MAIN);
    assertEquals(0, RelFilePath.ofBlock(rel, 131071).segno());
    assertEquals(1, RelFilePath.ofBlock(rel, 131072).segno());
    assertEquals(32767, RelFilePath.ofBlock(rel, -2).segno());
    assertEquals(131072L * 3, new RelFilePath(rel, 3).firstBlock());
  }

  @Test
  void nonRelationFilesAreRefusedNamingThePart() {
    record Bad(String path, String field) {}
    for (Bad b : List.of(new Bad("base/5/PG_VERSION", "relNode"), new Bad("base/5/pg_filenode.map", "segno"),
        new Bad("base/5/t3_16384", "relNode"), new Bad("base/5/16384_xyz", "fork"), new Bad("base/5/16384.0", "segno"),
        new Bad("base/5/16384.", "segno"), new Bad("base/05/16384", "dbNode"), new Bad("base/5/4294967296", "relNode"),
        new Bad("pg_xact/0000", "path"), new Bad("pg_tblspc/16500/PG_14_1/5/16384", "tablespace version directory"),
        new Bad("base/5", "path"))) {
      WireFormatException e = assertThrows(WireFormatException.class, () -> RelFilePath.parse(b.path()), b.path());
      assertEquals(b.field(), e.field(), e.getMessage());
    }
  }
}
