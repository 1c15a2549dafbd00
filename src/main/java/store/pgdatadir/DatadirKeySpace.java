package store.pgdatadir;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import store.layer.KeyRange;
import store.layer.KeySpace;
import wire.keyspace.Directories.Db;
import wire.keyspace.Key;
import wire.keyspace.Key.SlruKind;
import wire.pgdata.RelTag;

/**
 * Every key that exists in a data directory at its LSN (reference pageserver.md §4.7 "collect_keyspace"):
 * the db directory, per database its relmap and rel directory, per relation fork its blocks and size,
 * per SLRU its directory and per segment its blocks and size, the twophase directory and files, the
 * control file and the checkpoint. Image layers materialize exactly these keys.
 */
public final class DatadirKeySpace {
  private DatadirKeySpace() {}

  public static KeySpace collect(Datadir d) throws IOException {
    List<KeyRange> out = new ArrayList<>();
    out.add(KeyRange.single(Key.dbDir()));
    for (Db db : d.dbDirectory().dbs().keySet()) {
      if (d.relmap(db.spcNode(), db.dbNode()) != null) out.add(KeyRange.single(Key.relmap(db.spcNode(), db.dbNode())));
      out.add(KeyRange.single(Key.relDir(db.spcNode(), db.dbNode())));
    }
    for (RelTag rel : d.relations()) {
      int size = d.relSizeOrMinusOne(rel);
      if (size < 0) continue;
      if (size > 0) out.add(new KeyRange(Key.relStart(rel), Key.relBlock(rel, size)));
      out.add(KeyRange.single(Key.relSize(rel)));
    }
    for (SlruKind kind : SlruKind.values()) {
      out.add(KeyRange.single(Key.slruDir(kind)));
      for (int segno : d.slruSegments(kind).numbers()) {
        int blocks = d.slruSegmentSize(kind, segno);
        if (blocks > 0) out.add(new KeyRange(Key.slruBlock(kind, segno, 0), Key.slruBlock(kind, segno, blocks)));
        out.add(KeyRange.single(Key.slruSegmentSize(kind, segno)));
      }
    }
    out.add(KeyRange.single(Key.twoPhaseDir()));
    for (int xid : d.twoPhaseXids().numbers()) out.add(KeyRange.single(Key.twoPhaseFile(xid)));
    if (d.controlFile() != null) out.add(KeyRange.single(Key.controlFile()));
    if (d.checkpoint() != null) out.add(KeyRange.single(Key.checkpoint()));
    return KeySpace.of(out);
  }
}
