package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import wire.keyspace.Key;

class LayerNameTest {
  private static final String L0 = "000000000000000000000000000000000000-FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF__00000000016B3748-0000000001700000";

  @Test
  void printsAndParsesDeltaAndImageNamesAsNeonDoes() {
    LayerName l0 = LayerName.parse(L0);
    assertEquals(LayerName.delta(KeyRange.FULL, 0x16B3748L, 0x1700000L), l0);
    assertTrue(l0.isL0());
    assertEquals(L0, l0.toString());

    KeyRange keys = new KeyRange(Key.parseHex("000000067F000032BE0000400000000020B6"), Key.parseHex("000000067F000032BE0000400000000030B6"));
    LayerName image = LayerName.image(keys, 0x578C6B29L);
    assertEquals("000000067F000032BE0000400000000020B6-000000067F000032BE0000400000000030B6__00000000578C6B29", image.toString());
    assertEquals(image, LayerName.parse(image.toString()));
    assertEquals(0x578C6B29L, image.imageLsn());
    assertEquals(0x578C6B2AL, image.lsnEnd());
  }

  @Test
  void otherNamesAreNotLayers() {
    assertNull(LayerName.tryParse("metadata"));
    assertNull(LayerName.tryParse(L0 + ".___temp"));
    assertNull(LayerName.tryParse(L0.replace("__", "_-")));
    assertNull(LayerName.tryParse(L0.substring(0, L0.length() - 1)));
    assertNull(LayerName.tryParse(L0.replace("0000000001700000", "000000000170000G")));
    // an empty LSN range or an inverted key range is not a layer either
    assertNull(LayerName.tryParse(L0.replace("0000000001700000", "00000000016B3748")));
    var e = assertThrows(IllegalArgumentException.class, () -> LayerName.parse("foo__bar"));
    assertTrue(e.getMessage().contains("foo__bar"));
  }
}
