package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RemoteLayoutTest {
  private static final String T = "0123456789abcdef0123456789abcdef";
  private static final String TL = "fedcba9876543210fedcba9876543210";

  @Test
  void keysCarryTheGenerationAndParseBack() {
    String layer = LayerName.delta(KeyRange.FULL, 0x100, 0x200).toString();
    String key = RemoteLayout.layerKey(T, TL, layer, 0x1F);
    assertEquals("tenants/" + T + "/timelines/" + TL + "/" + layer + "-0000001f", key);
    assertEquals(new RemoteLayout.Parsed(RemoteLayout.Kind.LAYER, T, TL, layer, 0x1F), RemoteLayout.parse(key));
    assertEquals(new RemoteLayout.Parsed(RemoteLayout.Kind.INDEX, T, TL, null, 3), RemoteLayout.parse(RemoteLayout.indexKey(T, TL, 3)));
    assertEquals(new RemoteLayout.Parsed(RemoteLayout.Kind.ATTACH_MARKER, T, null, null, 9),
        RemoteLayout.parse(RemoteLayout.attachMarkerKey(T, 9)));
  }

  @Test
  void foreignNamesAreNotOurs() {
    assertNull(RemoteLayout.parse("tenants/" + T + "/timelines/" + TL + "/index_part.json"));
    assertNull(RemoteLayout.parse("tenants/" + T + "/timelines/" + TL + "/index_part.json-00000000"));
    assertNull(RemoteLayout.parse("tenants/" + T + "/timelines/" + TL + "/something-00000001"));
    assertNull(RemoteLayout.parse("wal/" + T + "/" + TL + "/000000010000000000000001"));
    assertNull(RemoteLayout.parse("tenants/" + T + "/"));
    assertThrows(IllegalArgumentException.class, () -> RemoteLayout.gen(0));
  }
}
