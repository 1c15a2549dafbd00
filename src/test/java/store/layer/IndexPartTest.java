package store.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class IndexPartTest {
  private static final String SOURCE = "tenants/x/timelines/y/index_part.json-00000002";
  private final String l0 = LayerName.delta(KeyRange.FULL, 0x100, 0x200).toString();
  private final String image = LayerName.image(KeyRange.FULL, 0x28).toString();

  private IndexPart sample() {
    TimelineMetadata md = new TimelineMetadata(0x1FF, 0x1E0, "0123456789abcdef0123456789abcdef", 0x150, 0x120, 0x28, 15, List.of());
    return new IndexPart(md, new TreeMap<>(Map.of(l0, new IndexPart.RemoteLayer(81920, 2), image, new IndexPart.RemoteLayer(8192, 1))), "main");
  }

  @Test
  void roundTripsAndListsItsLayersInTheMetadata() throws Exception {
    IndexPart index = sample();
    assertEquals(List.of(l0, image).stream().sorted().toList(), index.metadata().layers());
    IndexPart back = IndexPart.parse(SOURCE, index.toJson());
    assertEquals(index, back);

    IndexPart root = new IndexPart(TimelineMetadata.root(0x16B3748, 15).withDiskConsistent(0x16B37C0, 0x16B3748),
        new TreeMap<>(Map.of(image, new IndexPart.RemoteLayer(1, 1))), null);
    assertEquals(root, IndexPart.parse(SOURCE, root.toJson()));
    String json = new String(root.toJson(), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"disk_consistent_lsn\" : \"0/16B37C0\""), json);
    assertTrue(json.contains("\"ancestor_timeline\" : null"), json);
  }

  @Test
  void badInputIsMalformedNamingTheSourceAndTheField() {
    String good = new String(sample().toJson(), StandardCharsets.UTF_8);
    Map<String, String> cases = Map.of(
        "not JSON", "{\"version\": 1,",
        "field 'layer_metadata' is missing", good.replace("\"layer_metadata\"", "\"other\""),
        "metadata.prev_record_lsn' is not an LSN", good.replace("\"prev_record_lsn\" : \"0/1E0\"", "\"prev_record_lsn\" : \"nope\""),
        "version 7", good.replace("\"version\" : 1", "\"version\" : 7"),
        "is not a layer name", good.replace(l0, "metadata"),
        "differs from metadata.disk_consistent_lsn", good.replaceFirst("\"disk_consistent_lsn\" : \"0/1FF\"", "\"disk_consistent_lsn\" : \"0/200\""),
        "file_size' is not a non-negative integer", good.replace("\"file_size\" : 81920", "\"file_size\" : -3"),
        "ancestor timeline id", good.replace("0123456789abcdef0123456789abcdef", "XYZ"));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      var e = assertThrows(IndexPart.Malformed.class, () -> IndexPart.parse(SOURCE, c.getValue().getBytes(StandardCharsets.UTF_8)), c.getKey());
      assertTrue(e.getMessage().contains(SOURCE) && e.getMessage().contains(c.getKey()), c.getKey() + " → " + e.getMessage());
    }
  }
}
