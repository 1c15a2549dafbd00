package store.pgdatadir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import store.layer.KeyValue;
import wire.keyspace.Directories;
import wire.keyspace.Directories.Db;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.Lsn;

class DatadirModificationTest {
  private static final RelTag REL = new RelTag(1663, 5, 16384, ForkNumber.MAIN);
  private final MemoryStore store = new MemoryStore();

  private DatadirModification modificationAt(long lsn) {
    DatadirModification m = new DatadirModification(store.at(Lsn.of(0x100)), store);
    m.setLsn(lsn);
    return m;
  }

  @Test
  void metadataWritesAreReadBackButPageWritesAreNot() throws Exception {
    store.accept(List.of(new KeyValue(Key.relBlock(REL, 0), 0x100, new Value.Image(new byte[] {1}))));
    DatadirModification m = modificationAt(0x200);
    assertTrue(m.createRelation(REL, 3));
    assertEquals(3, m.relSizeOrMinusOne(REL));
    assertEquals(new Db(1663, 5), m.dbDirectory().dbs().firstKey());
    assertFalse(m.dbDirectory().dbs().get(new Db(1663, 5)), "no relmap yet");
    m.put(Key.relBlock(REL, 0), new Value.Image(new byte[] {2}));
    assertArrayEquals(new byte[] {1}, m.get(Key.relBlock(REL, 0)), "pages come from the base, not from pending writes");
    assertNull(store.get(Key.relSize(REL), 0x200), "nothing reaches storage before a drain");
  }

  @Test
  void drainIsOrderedByKeyThenLsnAndKeepsTheLastWriteOfAKeyAtOneLsn() {
    DatadirModification m = modificationAt(0x200);
    Key a = Key.relBlock(REL, 1), b = Key.relBlock(REL, 0);
    m.put(a, new Value.Image(new byte[] {1}));
    m.put(b, new Value.Image(new byte[] {2}));
    m.put(a, new Value.Image(new byte[] {3}));
    m.setLsn(0x300);
    m.put(b, new Value.Image(new byte[] {4}));
    assertEquals(3, m.size());
    List<KeyValue> out = m.drain();
    assertEquals(List.of(b, b, a), out.stream().map(KeyValue::key).toList());
    assertEquals(List.of(0x200L, 0x300L, 0x200L), out.stream().map(KeyValue::lsn).toList());
    assertArrayEquals(new byte[] {3}, ((Value.Image) out.get(2).value()).bytes());
    assertTrue(m.isEmpty());
    assertThrows(IllegalArgumentException.class, () -> m.setLsn(0x280));
  }

  /** Past the short scan, writes at one LSN are found through an index: a rewrite still replaces. */
  @Test
  void manyWritesAtOneLsnStillReplaceTheSameKey() {
    DatadirModification m = modificationAt(0x200);
    for (int b = 39; b >= 0; b--) m.put(Key.relBlock(REL, b), new Value.Image(new byte[] {(byte) b}));
    m.put(Key.relBlock(REL, 5), new Value.Image(new byte[] {105}));
    m.put(Key.relBlock(REL, 30), new Value.Image(new byte[] {(byte) 130}));
    m.setLsn(0x300);
    m.put(Key.relBlock(REL, 5), new Value.Image(new byte[] {(byte) 205}));
    assertEquals(41, m.size());
    List<KeyValue> out = m.drain();
    assertEquals(41, out.size());
    for (int i = 1; i < out.size(); i++) {
      KeyValue a = out.get(i - 1), b = out.get(i);
      int c = a.key().compareTo(b.key());
      assertTrue(c < 0 || (c == 0 && a.lsn() < b.lsn()), "out of order at " + i);
    }
    assertArrayEquals(new byte[] {105}, ((Value.Image) out.get(5).value()).bytes());
    assertEquals(0x300L, out.get(6).lsn());
    assertArrayEquals(new byte[] {(byte) 205}, ((Value.Image) out.get(6).value()).bytes());
    assertArrayEquals(new byte[] {(byte) 130}, ((Value.Image) out.get(31).value()).bytes());
  }

  @Test
  void aDroppedRelationIsGoneForLaterModificationsThoughItsSizeKeyStays() throws Exception {
    DatadirModification m = modificationAt(0x200);
    m.createRelation(REL, 10);
    m.setRelationSize(REL, 12);
    assertEquals(12, m.blocksDelta());
    store.accept(m.drain());
    DatadirModification m2 = modificationAt(0x300);
    assertTrue(m2.dropRelation(REL));
    assertEquals(-12, m2.blocksDelta());
    assertEquals(-1, m2.relSizeOrMinusOne(REL));
    store.accept(m2.drain());
    assertEquals(12, Directories.decodeSize(store.get(Key.relSize(REL), 0x300)), "storage never deletes");
    DatadirModification m3 = modificationAt(0x400);
    assertEquals(-1, m3.relSizeOrMinusOne(REL), "the directory says it is gone");
    assertTrue(m3.createRelation(REL, 0));
    assertEquals(0, m3.relSizeOrMinusOne(REL));
  }

  @Test
  void aDatabaseDropEmptiesItsDirectoryAndARelmapMarksIt() throws Exception {
    DatadirModification m = modificationAt(0x200);
    m.createRelation(REL, 4);
    m.createRelation(REL.withFork(ForkNumber.FSM), 3);
    m.putRelmap(1663, 5, new byte[512]);
    assertTrue(m.dbDirectory().dbs().get(new Db(1663, 5)));
    store.accept(m.drain());
    DatadirModification m2 = modificationAt(0x300);
    assertTrue(m2.dropDatabase(1663, 5));
    assertEquals(-7, m2.blocksDelta());
    store.accept(m2.drain());
    Datadir after = store.at(Lsn.of(0x300));
    assertTrue(after.dbDirectory().dbs().isEmpty());
    assertTrue(after.relDirectory(1663, 5).rels().isEmpty());
    assertFalse(modificationAt(0x400).dropDatabase(1663, 5));
  }

  @Test
  void slruSegmentsAndTwoPhaseFilesComeAndGo() throws Exception {
    DatadirModification m = modificationAt(0x200);
    m.createSlruSegment(Key.SlruKind.CLOG, 2, 1);
    m.setSlruSegmentSize(Key.SlruKind.CLOG, 2, 5);
    assertEquals(5, m.slruSegmentSizeOrMinusOne(Key.SlruKind.CLOG, 2));
    m.putTwoPhase(777, new byte[] {9});
    assertEquals(List.of(777), List.copyOf(m.twoPhaseXids().numbers()));
    assertTrue(m.dropSlruSegment(Key.SlruKind.CLOG, 2));
    assertTrue(m.dropTwoPhase(777));
    assertEquals(-1, m.slruSegmentSizeOrMinusOne(Key.SlruKind.CLOG, 2));
    assertNull(m.get(Key.twoPhaseFile(777)));
    assertThrows(IllegalArgumentException.class, () -> m.put(Key.dbDir(), new Value.ClogSetAborted(new int[] {1})));
  }
}
