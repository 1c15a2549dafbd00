package wire.sk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import wire.FieldWriter;
import wire.WireFormatException;
import wire.sk.AcceptorMessage.AcceptorGreeting;
import wire.sk.AcceptorMessage.AppendResponse;
import wire.sk.AcceptorMessage.HotStandbyFeedback;
import wire.sk.AcceptorMessage.VoteResponse;
import wire.sk.MembershipConfiguration.Member;
import wire.sk.ProposerMessage.AppendRequest;
import wire.sk.ProposerMessage.ProposerElected;
import wire.sk.ProposerMessage.ProposerGreeting;
import wire.sk.ProposerMessage.VoteRequest;
import wire.xlog.Lsn;

class SkMessagesTest {
  private static final String TENANT = "0123456789abcdef0123456789abcdef";
  private static final String TIMELINE = "fedcba9876543210fedcba9876543210";
  private static final MembershipConfiguration JOINT = new MembershipConfiguration(3,
      List.of(new Member(1, "sk1", 5454), new Member(2, "sk2.example", 5455)), List.of(new Member(4, "", 1)));
  private static final TermHistory HISTORY = new TermHistory(List.of(
      new TermHistory.Entry(1, Lsn.parse("0/1000028")), new TermHistory.Entry(3, Lsn.parse("0/16B3748"))));
  private static final PageserverFeedback FEEDBACK = new PageserverFeedback(123_456_789L, Lsn.parse("0/3000000"),
      Lsn.parse("0/2000000"), Lsn.parse("0/1000000"), 777_000_000L, 2, true);

  private static List<ProposerMessage> proposerMessages() {
    return List.of(
        new ProposerGreeting(TENANT, TIMELINE, MembershipConfiguration.NONE, 150018, -42L, 16 << 20),
        new ProposerGreeting(TENANT, TIMELINE, JOINT, 150000, 7L, 16 << 20),
        new VoteRequest(3, 0xFFFF_FFFF_FFFFL),
        new ProposerElected(3, 4, Lsn.parse("0/16B3748"), HISTORY.plus(4, Lsn.parse("0/2000000"))),
        new AppendRequest(3, 4, Lsn.parse("0/2000000"), Lsn.parse("0/2000005"), Lsn.parse("0/1FFFFF0"),
            Lsn.parse("0/1000000"), new byte[] {1, 2, 3, 4, 5}),
        new AppendRequest(0, 4, Lsn.parse("0/2000000"), Lsn.parse("0/2000000"), Lsn.INVALID, Lsn.INVALID, new byte[0]));
  }

  private static List<AcceptorMessage> acceptorMessages() {
    return List.of(
        new AcceptorGreeting(17, JOINT, 9),
        new AcceptorGreeting(17, MembershipConfiguration.NONE, 0),
        new VoteResponse(3, 5, true, Lsn.parse("0/2000000"), Lsn.parse("0/1000000"), HISTORY),
        new VoteResponse(0, 5, false, Lsn.INVALID, Lsn.INVALID, TermHistory.EMPTY),
        new AppendResponse(3, 5, Lsn.parse("0/2000000"), Lsn.parse("0/1FFFFF0"),
            new HotStandbyFeedback(99, 700, 650), null),
        new AppendResponse(3, 5, Lsn.parse("0/2000000"), Lsn.parse("0/1FFFFF0"), HotStandbyFeedback.NONE, FEEDBACK),
        AppendResponse.higherTerm(3, 8));
  }

  @Test
  void everyMessageSurvivesARoundTrip() throws Exception {
    for (ProposerMessage m : proposerMessages()) assertEquals(m, ProposerMessage.decode(ByteBuffer.wrap(m.encode())));
    for (AcceptorMessage m : acceptorMessages()) assertEquals(m, AcceptorMessage.decode(ByteBuffer.wrap(m.encode())));
  }

  @Test
  void voteRequestHasTheV3ByteLayout() {
    assertArrayEquals(new byte[] {'v', 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 1, 2},
        new VoteRequest(3, 0x102).encode());
  }

  @Test
  void everyTruncationIsATypedError() {
    for (ProposerMessage m : proposerMessages()) {
      byte[] full = m.encode();
      for (int len = 0; len < full.length; len++) {
        byte[] cut = Arrays.copyOf(full, len);
        assertThrows(WireFormatException.class, () -> ProposerMessage.decode(ByteBuffer.wrap(cut)), m + " cut to " + len);
      }
    }
    for (AcceptorMessage m : acceptorMessages()) {
      byte[] full = m.encode();
      // an AppendResponse cut exactly before its optional feedback is a valid shorter message
      int fixedAppendResponse = 1 + 4 + 8 * 6;
      for (int len = 0; len < full.length; len++) {
        if (m instanceof AppendResponse && len == fixedAppendResponse) continue;
        byte[] cut = Arrays.copyOf(full, len);
        assertThrows(WireFormatException.class, () -> AcceptorMessage.decode(ByteBuffer.wrap(cut)), m + " cut to " + len);
      }
    }
  }

  @Test
  void unknownTagsAreNamed() {
    WireFormatException e = assertThrows(WireFormatException.class, () -> ProposerMessage.decode(ByteBuffer.wrap(new byte[] {'x'})));
    assertEquals("tag", e.field());
    assertEquals("'x'", e.value());
    e = assertThrows(WireFormatException.class, () -> AcceptorMessage.decode(ByteBuffer.wrap(new byte[] {'e', 0})));
    assertEquals("'e'", e.value());
  }

  @Test
  void absurdCountsAreRefusedBeforeAllocating() {
    byte[] elected = new FieldWriter().u8('e').u32(0).u64(1).u64(0).u32(0xFFFF_FFFFL).toByteArray();
    WireFormatException e = assertThrows(WireFormatException.class, () -> ProposerMessage.decode(ByteBuffer.wrap(elected)));
    assertEquals("term_history.n", e.field());
    byte[] greeting = new FieldWriter().u8('g').u64(1).u32(1).u32(1_000_000).toByteArray();
    e = assertThrows(WireFormatException.class, () -> AcceptorMessage.decode(ByteBuffer.wrap(greeting)));
    assertEquals("mconf.members.n", e.field());
  }

  @Test
  void appendRequestLengthsAreChecked() {
    FieldWriter backwards = new FieldWriter().u8('a').u32(0).u64(1).u64(100).u64(50).u64(0).u64(0);
    WireFormatException e = assertThrows(WireFormatException.class, () -> ProposerMessage.decode(ByteBuffer.wrap(backwards.toByteArray())));
    assertEquals("end_lsn", e.field());
    FieldWriter huge = new FieldWriter().u8('a').u32(0).u64(1).u64(0).u64(ProposerMessage.MAX_WAL_BYTES + 1).u64(0).u64(0);
    e = assertThrows(WireFormatException.class, () -> ProposerMessage.decode(ByteBuffer.wrap(huge.toByteArray())));
    assertTrue(e.getMessage().contains("131073 bytes"), e.getMessage());
    byte[] extra = Arrays.copyOf(new VoteRequest(1, 2).encode(), 14);
    e = assertThrows(WireFormatException.class, () -> ProposerMessage.decode(ByteBuffer.wrap(extra)));
    assertEquals("(end)", e.field());
  }

  @Test
  void membershipRulesAreEnforcedOnDecode() {
    byte[] noMembers = new FieldWriter().u8('g').u64(1).u32(5).u32(0).u32(0).u64(1).toByteArray();
    WireFormatException e = assertThrows(WireFormatException.class, () -> AcceptorMessage.decode(ByteBuffer.wrap(noMembers)));
    assertEquals("mconf.members.n", e.field());
    byte[] duplicate = new FieldWriter().u8('g').u64(1).u32(5).u32(2).u64(7).cstring("a").u16(1).u64(7).cstring("b").u16(2)
        .u32(0).u64(1).toByteArray();
    e = assertThrows(WireFormatException.class, () -> AcceptorMessage.decode(ByteBuffer.wrap(duplicate)));
    assertEquals("mconf.members[1].node_id", e.field());
  }

  @Test
  void greetingIdsMustBeHex() {
    byte[] bad = new FieldWriter().u8('g').cstring("not-an-id").cstring(TIMELINE).u32(0).u32(0).u32(0).u32(150000).u64(1)
        .u32(16 << 20).toByteArray();
    WireFormatException e = assertThrows(WireFormatException.class, () -> ProposerMessage.decode(ByteBuffer.wrap(bad)));
    assertEquals("tenant_id", e.field());
  }

  @Test
  void outOfOrderTermHistoryIsRefused() {
    byte[] bad = new FieldWriter().u8('e').u32(0).u64(5).u64(0).u32(2).u64(3).u64(100).u64(2).u64(200).toByteArray();
    WireFormatException e = assertThrows(WireFormatException.class, () -> ProposerMessage.decode(ByteBuffer.wrap(bad)));
    assertEquals("term_history[1]", e.field());
  }

  @Test
  void unknownFeedbackKeysAreSkippedAndMissingOnesAreZero() throws Exception {
    byte[] msg = new FieldWriter().u8('a').u32(0).u64(1).u64(2).u64(3).u64(0).u64(0).u64(0)
        .u8(2).cstring("future_key").u32(3).bytes(new byte[] {9, 9, 9}).cstring("ps_flushlsn").u32(8).u64(0x55)
        .toByteArray();
    AppendResponse r = (AppendResponse) AcceptorMessage.decode(ByteBuffer.wrap(msg));
    assertEquals(Lsn.of(0x55), r.pageserverFeedback().diskConsistentLsn());
    assertEquals(Lsn.INVALID, r.pageserverFeedback().lastReceivedLsn());
    assertEquals(0, r.pageserverFeedback().shardNumber());
    assertNull(AppendResponse.higherTerm(0, 1).pageserverFeedback());
  }

  @Test
  void feedbackKeyWithTheWrongLengthIsNamed() {
    byte[] msg = new FieldWriter().u8('a').u32(0).u64(1).u64(2).u64(3).u64(0).u64(0).u64(0)
        .u8(1).cstring("ps_writelsn").u32(4).u32(1).toByteArray();
    WireFormatException e = assertThrows(WireFormatException.class, () -> AcceptorMessage.decode(ByteBuffer.wrap(msg)));
    assertEquals("feedback.ps_writelsn.len", e.field());
  }
}
