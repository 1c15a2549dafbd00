package wire.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import wire.xlog.Lsn;

class ReplicationCommandTest {
  private static ReplicationCommand parse(String q) throws ProtocolException {
    return ReplicationCommand.parse(q);
  }

  @Test
  void parsesPostgresPhysicalReplicationCommands() throws Exception {
    assertEquals(new ReplicationCommand.IdentifySystem(), parse("IDENTIFY_SYSTEM"));
    assertEquals(new ReplicationCommand.IdentifySystem(), parse("  identify_system ;"));
    assertEquals(new ReplicationCommand.TimelineHistory(2), parse("TIMELINE_HISTORY 2"));
    assertEquals(new ReplicationCommand.Show("wal_segment_size"), parse("SHOW wal_segment_size"));
    assertEquals(new ReplicationCommand.Show("neon.tenant_id"), parse("SHOW neon.tenant_id"));
    assertEquals(new ReplicationCommand.ReadReplicationSlot("s1"), parse("READ_REPLICATION_SLOT \"s1\""));
  }

  @Test
  void parsesStartReplicationAsPgReceivewalAndWalreceiverSendIt() throws Exception {
    // pg_receivewal: START_REPLICATION X/Y TIMELINE 1
    assertEquals(new ReplicationCommand.StartReplication(Optional.empty(), Lsn.parse("0/1000000"), OptionalInt.of(1),
        OptionalLong.empty(), Map.of()), parse("START_REPLICATION 0/1000000 TIMELINE 1"));
    // walreceiver: START_REPLICATION SLOT "s" PHYSICAL X/Y TIMELINE n
    assertEquals(new ReplicationCommand.StartReplication(Optional.of("s"), Lsn.parse("1A/B0000000"), OptionalInt.of(3),
        OptionalLong.empty(), Map.of()), parse("START_REPLICATION SLOT \"s\" PHYSICAL 1A/B0000000 TIMELINE 3"));
  }

  @Test
  void parsesStrataTermOptionInEverySpelling() throws Exception {
    for (String opt : new String[] {"(term '7')", "(term 7)", "(term='7')", "( TERM = 7 )"}) {
      ReplicationCommand.StartReplication s = (ReplicationCommand.StartReplication) parse("START_REPLICATION PHYSICAL 0/16B3748 " + opt);
      assertEquals(OptionalLong.of(7), s.term(), opt);
      assertEquals(Lsn.parse("0/16B3748"), s.start());
    }
    ReplicationCommand.StartReplication big = (ReplicationCommand.StartReplication) parse("START_REPLICATION 0/0 (term '18446744073709551615')");
    assertEquals(-1L, big.term().getAsLong());   // u64 max, kept as its bit pattern
  }

  @Test
  void identifiesNeonServiceCommands() throws Exception {
    assertEquals(new ReplicationCommand.StartWalPush(Map.of("proto_version", "3", "allow_timeline_creation", "true")),
        parse("START_WAL_PUSH (proto_version '3', allow_timeline_creation 'true')"));
    assertEquals(new ReplicationCommand.StartWalPush(Map.of()), parse("START_WAL_PUSH"));
    assertEquals(new ReplicationCommand.TimelineStatus(), parse("TIMELINE_STATUS"));
    String t = "0f3c2e1d4b5a69788796a5b4c3d2e1f0";
    String tl = "11223344556677889900aabbccddeeff";
    assertEquals(new ReplicationCommand.Pagestream(2, t, tl), parse("pagestream_v2 " + t + " " + tl));
    assertEquals(new ReplicationCommand.Pagestream(3, t + "-0104", tl), parse("pagestream_v3 " + t + "-0104 " + tl));
    assertEquals(new ReplicationCommand.Basebackup(t, tl, Optional.of(Lsn.parse("0/2000028")), true, false),
        parse("basebackup " + t + " " + tl + " 0/2000028 --gzip"));
    assertEquals(new ReplicationCommand.Basebackup(t, tl, Optional.empty(), false, true), parse("basebackup " + t + " " + tl + " latest --replica"));
    assertEquals(new ReplicationCommand.Set("SET"), parse("SET datestyle TO 'ISO'"));
  }

  @Test
  void unknownCommandsAndBadArgumentsGiveTypedErrors() {
    assertEquals(new ProtocolError.UnknownCommand("DROP"), error("DROP TABLE x"));
    assertEquals(new ProtocolError.UnknownCommand("'select 1'"), error(" 'select 1' "));
    assertEquals(new ProtocolError.UnknownCommand("(" + "x".repeat(59) + "..."), error("(" + "x".repeat(70)));
    assertEquals("unknown command 'BASE_BACKUP'", error("BASE_BACKUP (LABEL 'x')").message());
    assertEquals("syntax error in START_REPLICATION: missing start position", error("START_REPLICATION").message());
    assertEquals("syntax error in START_REPLICATION: start position 'abc' is not an LSN X/Y", error("START_REPLICATION abc").message());
    assertEquals("syntax error in START_REPLICATION: term 'x' is not an unsigned 64-bit number", error("START_REPLICATION 0/0 (term 'x')").message());
    assertEquals("syntax error in START_REPLICATION: unexpected 'extra'", error("START_REPLICATION 0/0 TIMELINE 1 extra").message());
    assertEquals("syntax error in TIMELINE_HISTORY: timeline '0' is not a positive number", error("TIMELINE_HISTORY 0").message());
    assertEquals("syntax error in START_WAL_PUSH: unterminated quoted string", error("START_WAL_PUSH (a 'b)").message());
    assertEquals("syntax error in START_WAL_PUSH: missing ')'", error("START_WAL_PUSH (a 'b'").message());
    assertEquals("logical replication is not supported", error("START_REPLICATION SLOT s LOGICAL 0/0").message());
    assertEquals("42601", error("SHOW").sqlState());
    assertEquals("0A000", error("START_REPLICATION SLOT s LOGICAL 0/0").sqlState());
  }

  private static ProtocolError error(String q) {
    return assertThrows(ProtocolException.class, () -> parse(q)).error();
  }
}
