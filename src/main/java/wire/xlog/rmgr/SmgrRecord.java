package wire.xlog.rmgr;

import java.nio.ByteBuffer;
import wire.FieldReader;
import wire.WireFormatException;
import wire.pgdata.ForkNumber;
import wire.pgdata.RelFileNode;
import wire.pgdata.RelTag;
import wire.xlog.XLogRecordFormat;

/** Storage manager records: a fork file is created, or a relation is cut to {@code blkno} blocks. */
public sealed interface SmgrRecord {
  int CREATE = 0x10, TRUNCATE = 0x20;
  int TRUNCATE_HEAP = 0x1, TRUNCATE_VM = 0x2, TRUNCATE_FSM = 0x4;

  /** xl_smgr_create: RelFileNode, fork (int). */
  record Create(RelTag rel) implements SmgrRecord {}

  /** xl_smgr_truncate: blkno, RelFileNode, flags saying which forks are cut. */
  record Truncate(int blkno, RelFileNode rel, int flags) implements SmgrRecord {
    public boolean truncatesHeap() {
      return (flags & TRUNCATE_HEAP) != 0;
    }

    public boolean truncatesVm() {
      return (flags & TRUNCATE_VM) != 0;
    }

    public boolean truncatesFsm() {
      return (flags & TRUNCATE_FSM) != 0;
    }
  }

  static SmgrRecord parse(int info, ByteBuffer mainData) throws WireFormatException {
    int op = info & XLogRecordFormat.XLR_RMGR_INFO_MASK;
    if (op == CREATE) {
      FieldReader r = FieldReader.littleEndian("SMGR CREATE", mainData);
      RelFileNode node = Rmgr.relFileNode(r, "rnode");
      int forkNum = r.i32("forkNum");
      ForkNumber fork = ForkNumber.ofNumber(forkNum);
      if (fork == null) throw r.error("forkNum", forkNum, "unknown fork (0 main, 1 fsm, 2 vm, 3 init)");
      return new Create(node.fork(fork));
    }
    if (op == TRUNCATE) {
      FieldReader r = FieldReader.littleEndian("SMGR TRUNCATE", mainData);
      return new Truncate(r.i32("blkno"), Rmgr.relFileNode(r, "rnode"), r.i32("flags"));
    }
    throw new WireFormatException("SMGR", "info", String.format("0x%02X", info), "unknown storage record type");
  }
}
