package store.pgdatadir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import wire.WireFormatException;
import wire.keyspace.Key;
import wire.keyspace.Value;
import wire.pgdata.CheckPoint;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelTag;
import wire.xlog.BlockRef;
import wire.xlog.RmgrId;
import wire.xlog.WalFormatException;
import wire.xlog.WalRecord;
import wire.xlog.rmgr.RelmapRecord;
import wire.xlog.rmgr.StandbyRecord;
import wire.xlog.rmgr.XlogRecord;

/**
 * Turns decoded PostgreSQL 15 WAL records into key-space values (pageserver.md §3.2, §3.3, with the
 * vanilla layouts of §11.1): one value per referenced block, plus what the records without block
 * references mean for directories, sizes, SLRUs, prepared transactions and the checkpoint. Keeps the
 * tracked CheckPoint and the logical size (relation blocks) between records. One owner, records in
 * WAL order; after an exception discard both this and the modification and reload from storage.
 */
public final class WalIngest {
  private final TrackedCheckpoint checkpoint;
  private long logicalSizeBlocks;

  public WalIngest(CheckPoint checkpoint, long logicalSizeBlocks) {
    this.checkpoint = new TrackedCheckpoint(checkpoint);
    this.logicalSizeBlocks = logicalSizeBlocks;
  }

  /** Picks up where storage stands at {@code at}: its Checkpoint key and the sum of its relation sizes. */
  public static WalIngest load(Datadir at) throws IOException {
    byte[] cp = at.checkpoint();
    if (cp == null) throw new IOException("no checkpoint key at " + wire.xlog.Lsn.of(at.lsn()));
    long blocks = 0;
    for (RelTag rel : at.relations()) blocks += Math.max(0, at.relSizeOrMinusOne(rel));
    try {
      return new WalIngest(CheckPoint.decode(cp), blocks);
    } catch (WireFormatException e) {
      throw new IOException("checkpoint key at " + wire.xlog.Lsn.of(at.lsn()) + ": " + e.getMessage(), e);
    }
  }

  /** The tracked checkpoint, as last written to the Checkpoint key (or about to be). */
  public CheckPoint checkpoint() {
    return checkpoint.value();
  }

  /** Relation blocks stored, as of the last record ingested. */
  public long logicalSizeBlocks() {
    return logicalSizeBlocks;
  }

  /** Adds the record's values to {@code m}, stamped with the record's end LSN. */
  public void ingest(WalRecord rec, DatadirModification m) throws IOException, InvalidWalRecord {
    m.setLsn(rec.endLsnValue());
    long blocksBefore = m.blocksDelta();
    if (rec.xid() != WalRecord.INVALID_XID) checkpoint.advanceNextXid(rec.xid());
    try {
      metadataRecord(rec, m);
      byte[] raw = rec.blocks().isEmpty() ? null : rec.rawBytes(); // one copy shared by every block's value
      boolean fpiRecord = isFpiRecord(rec);
      for (BlockRef blk : rec.blocks()) blockValue(rec, blk, raw, fpiRecord, m);
    } catch (WireFormatException | WalFormatException e) {
      throw new InvalidWalRecord(rec, e.getMessage(), e);
    }
    if (checkpoint.modified()) {
      m.putCheckpoint(checkpoint.value().encode());
      checkpoint.markWritten();
    }
    logicalSizeBlocks += m.blocksDelta() - blocksBefore;
  }

  private void metadataRecord(WalRecord rec, DatadirModification m)
      throws IOException, InvalidWalRecord, WireFormatException {
    RmgrId rmgr = rec.rmgr();
    if (rmgr == null) return;
    switch (rmgr) {
      case HEAP, HEAP2 -> RelationIngest.clearVmBits(rec, m);
      case SMGR -> RelationIngest.smgr(rec, m);
      case DBASE -> RelationIngest.dbase(rec, m);
      case CLOG -> SlruIngest.clog(rec, m, checkpoint);
      case XACT -> SlruIngest.xact(rec, m);
      case MULTIXACT -> SlruIngest.multixact(rec, m, checkpoint);
      case RELMAP -> {
        RelmapRecord r = RelmapRecord.parse(rec.info(), rec.mainData());
        m.putRelmap(r.tsId(), r.dbId(), r.data());
      }
      case XLOG -> xlog(rec, m);
      case STANDBY -> {
        if (StandbyRecord.parse(rec.info(), rec.mainData()) instanceof StandbyRecord.RunningXacts r) {
          checkpoint.setOldestActiveXid(r.oldestRunningXid());
        }
      }
      default -> {
        // every other rmgr (indexes, sequences, generic, tablespaces, logical messages, origins) has only block values
      }
    }
  }

  private void xlog(WalRecord rec, DatadirModification m) throws IOException, WireFormatException {
    XlogRecord x = XlogRecord.parse(rec.info(), rec.mainData());
    if (x instanceof XlogRecord.NextOid n) {
      checkpoint.setNextOid(n.nextOid());
    } else if (x instanceof XlogRecord.Checkpoint c) {
      int oldestActive = c.checkPoint().oldestActiveXid();
      if (c.shutdown() && oldestActive == WalRecord.INVALID_XID) {
        // a shutdown checkpoint leaves it invalid: nothing runs but prepared transactions
        oldestActive = checkpoint.value().nextXidValue();
        for (int xid : m.twoPhaseXids().numbers()) {
          if (SlruOrder.transactionIdPrecedes(xid, oldestActive)) oldestActive = xid;
        }
      }
      checkpoint.mergeCheckpointRecord(c.checkPoint(), c.shutdown(), rec.endLsnValue(), oldestActive);
    }
  }

  private static boolean isFpiRecord(WalRecord rec) {
    if (rec.rmgr() != RmgrId.XLOG) return false;
    int op = rec.rmgrInfo();
    return op == XlogRecord.FPI || op == XlogRecord.FPI_FOR_HINT;
  }

  /**
   * §3.2: an XLOG FPI becomes the page itself, stamped with the record's end LSN as redo would;
   * any other reference stores the whole record, which needs no older page if it initialises the
   * page or restores an image. The relation fork is created or extended to hold the block first.
   */
  private static void blockValue(WalRecord rec, BlockRef blk, byte[] raw, boolean fpiRecord, DatadirModification m)
      throws IOException, InvalidWalRecord, WalFormatException {
    RelTag rel = relTag(rec, blk);
    boolean applyImage = blk.hasImage() && blk.image().isApplied();
    Value value;
    if (fpiRecord && applyImage) {
      byte[] page = blk.image().restorePage();
      if (!PageHeader.isNew(page)) PageHeader.setLsn(page, rec.endLsnValue());
      value = new Value.Image(page);
    } else {
      value = new Value.PgRecord(blk.willInit() || applyImage, rec.lsnValue(), rec.endLsnValue(), raw);
    }
    RelationIngest.extendToHold(m, rel, blk.blockNumber());
    m.put(Key.relBlock(rel, blk.blockNumber()), value);
  }

  private static RelTag relTag(WalRecord rec, BlockRef blk) throws InvalidWalRecord {
    ForkNumber fork = blk.fork();
    if (fork == null) throw new InvalidWalRecord(rec, "block " + blk.id() + " has fork number " + blk.forkNumber());
    if (Integer.compareUnsigned(blk.rel().spcNode(), 0xFFFF) > 0) {
      throw new InvalidWalRecord(rec, "tablespace " + Integer.toUnsignedString(blk.rel().spcNode())
          + " does not fit the key space (16 bits); tablespaces are not supported");
    }
    if (blk.blockNumber() == Key.SIZE_FIELD) throw new InvalidWalRecord(rec, "block " + blk.id() + " has block number 0xFFFFFFFF");
    return blk.rel().fork(fork);
  }

  /** PageHeaderData fields ingest touches: pd_lsn (two u32, high word first) and pd_upper. */
  static final class PageHeader {
    private static final int PD_UPPER = 14;

    private PageHeader() {}

    /** PageIsNew: a page never initialised has pd_upper 0. */
    static boolean isNew(byte[] page) {
      return ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getShort(PD_UPPER) == 0;
    }

    static void setLsn(byte[] page, long lsn) {
      ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) (lsn >>> 32)).putInt(4, (int) lsn);
    }

    static long lsn(byte[] page) {
      ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
      return (Integer.toUnsignedLong(b.getInt(0)) << 32) | Integer.toUnsignedLong(b.getInt(4));
    }
  }
}
