package wire.xlog.rmgr;

import java.util.ArrayList;
import java.util.List;
import wire.FieldReader;
import wire.WireFormatException;
import wire.pgdata.RelFileNode;

/** Pieces of main data several rmgrs share. */
final class Rmgr {
  private Rmgr() {}

  static RelFileNode relFileNode(FieldReader r, String field) throws WireFormatException {
    return new RelFileNode(r.i32(field + ".spcNode"), r.i32(field + ".dbNode"), r.i32(field + ".relNode"));
  }

  static List<Integer> u32s(FieldReader r, String field, int n) throws WireFormatException {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(r.i32(field + "[" + i + "]"));
    return List.copyOf(out);
  }

  static List<RelFileNode> relFileNodes(FieldReader r, String field, int n) throws WireFormatException {
    List<RelFileNode> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(relFileNode(r, field + "[" + i + "]"));
    return List.copyOf(out);
  }
}
