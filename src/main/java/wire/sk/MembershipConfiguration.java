package wire.sk;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import wire.FieldReader;
import wire.FieldWriter;
import wire.WireFormatException;

/**
 * A safekeeper set of one generation, and during a change (joint consensus) the set it moves to:
 * {@code generation u32 | n u32 | n × (node_id u64, host cstring, pg_port u16) | n_new u32 | …}.
 * Generation 0 means "no membership configuration" (legacy), with both sets empty.
 */
public record MembershipConfiguration(int generation, List<Member> members, List<Member> newMembers) {
  public record Member(long nodeId, String host, int pgPort) {}

  public static final MembershipConfiguration NONE = new MembershipConfiguration(0, List.of(), List.of());

  public MembershipConfiguration {
    members = List.copyOf(members);
    newMembers = List.copyOf(newMembers);
  }

  /** True while moving from {@link #members()} to {@link #newMembers()}. */
  public boolean isJoint() {
    return !newMembers.isEmpty();
  }

  /** Whether a node is in either set. */
  public boolean contains(long nodeId) {
    return members.stream().anyMatch(m -> m.nodeId() == nodeId) || newMembers.stream().anyMatch(m -> m.nodeId() == nodeId);
  }

  void encodeTo(FieldWriter w) {
    w.u32(Integer.toUnsignedLong(generation));
    encodeSet(w, members);
    encodeSet(w, newMembers);
  }

  private static void encodeSet(FieldWriter w, List<Member> set) {
    w.u32(set.size());
    for (Member m : set) w.u64(m.nodeId()).cstring(m.host()).u16(m.pgPort());
  }

  static MembershipConfiguration decode(FieldReader r) throws WireFormatException {
    int generation = r.i32("mconf.generation");
    List<Member> members = decodeSet(r, "mconf.members");
    if (generation != 0 && members.isEmpty()) {
      throw r.error("mconf.members.n", 0, "generation " + Integer.toUnsignedString(generation) + " has no members");
    }
    List<Member> newMembers = decodeSet(r, "mconf.new_members");
    return new MembershipConfiguration(generation, members, newMembers);
  }

  private static List<Member> decodeSet(FieldReader r, String name) throws WireFormatException {
    int n = r.count(name + ".n", 11); // node id, at least a NUL, port
    List<Member> set = new java.util.ArrayList<>(n);
    Set<Long> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      long id = r.i64(name + "[" + i + "].node_id");
      String host = r.cstring(name + "[" + i + "].host");
      int port = r.u16(name + "[" + i + "].pg_port");
      if (!ids.add(id)) throw r.error(name + "[" + i + "].node_id", Long.toUnsignedString(id), "duplicate node id in the set");
      set.add(new Member(id, host, port));
    }
    return set;
  }
}
