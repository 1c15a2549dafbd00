package wire.xlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RmgrIdTest {
  @Test
  void idsAndNamesMatchPostgres15AndPgWaldump() {
    assertEquals(0, RmgrId.XLOG.id());
    assertEquals(1, RmgrId.XACT.id());
    assertEquals(10, RmgrId.HEAP.id());
    assertEquals(21, RmgrId.LOGICALMSG.id());
    assertEquals("Transaction", RmgrId.nameOf(1));
    assertEquals("Heap2", RmgrId.nameOf(9));
    assertEquals("LogicalMessage", RmgrId.nameOf(21));
  }

  @Test
  void idsBetweenBuiltInAndCustomAreInvalid() {
    assertNull(RmgrId.of(22));
    assertFalse(RmgrId.isValid(22));
    assertFalse(RmgrId.isValid(127));
    assertTrue(RmgrId.isValid(128));
    assertEquals("custom128", RmgrId.nameOf(128));
  }
}
