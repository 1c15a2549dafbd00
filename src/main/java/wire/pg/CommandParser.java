package wire.pg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import wire.xlog.Lsn;

/**
 * Tokenizer and recursive-descent parser for {@link ReplicationCommand}. Keywords are
 * case-insensitive; words may contain letters, digits and {@code _ . $ -} (so tenant ids with a
 * shard suffix and flags like {@code --gzip} are single words); {@code X/Y} is an LSN;
 * {@code 'text'} and {@code "ident"} are quoted with doubled quotes as escapes.
 */
final class CommandParser {
  private enum Kind { WORD, STRING, QUOTED_IDENT, LSN, PUNCT }

  private record Token(Kind kind, String text) {}

  private final List<Token> tokens;
  private final String command;
  private int pos;

  private CommandParser(List<Token> tokens, String command) {
    this.tokens = tokens;
    this.command = command;
  }

  static ReplicationCommand parse(String query) throws ProtocolException {
    List<Token> tokens = tokenize(query);
    if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).text.equals(";")) tokens.remove(tokens.size() - 1);
    if (tokens.isEmpty() || tokens.get(0).kind != Kind.WORD) {
      String text = query.strip();
      throw new ProtocolException(new ProtocolError.UnknownCommand(text.length() > 60 ? text.substring(0, 60) + "..." : text));
    }
    String word = tokens.get(0).text;
    CommandParser p = new CommandParser(tokens, word.toUpperCase(Locale.ROOT));
    p.pos = 1;
    ReplicationCommand c = p.command(word);
    if (p.pos < tokens.size()) throw p.syntax("unexpected '" + tokens.get(p.pos).text + "'");
    return c;
  }

  private ReplicationCommand command(String word) throws ProtocolException {
    switch (command) {
      case "IDENTIFY_SYSTEM": return new ReplicationCommand.IdentifySystem();
      case "TIMELINE_STATUS": return new ReplicationCommand.TimelineStatus();
      case "TIMELINE_HISTORY": return new ReplicationCommand.TimelineHistory(timeline());
      case "SHOW": return new ReplicationCommand.Show(name("setting name"));
      case "READ_REPLICATION_SLOT": return new ReplicationCommand.ReadReplicationSlot(name("slot name"));
      case "START_REPLICATION": return startReplication();
      case "START_WAL_PUSH": return new ReplicationCommand.StartWalPush(peekIs("(") ? options() : Map.of());
      case "PAGESTREAM": return new ReplicationCommand.Pagestream(1, name("tenant id"), name("timeline id"));
      case "PAGESTREAM_V2": return new ReplicationCommand.Pagestream(2, name("tenant id"), name("timeline id"));
      case "PAGESTREAM_V3": return new ReplicationCommand.Pagestream(3, name("tenant id"), name("timeline id"));
      case "BASEBACKUP": return basebackup();
      case "SET": {
        pos = tokens.size();
        return new ReplicationCommand.Set(word);
      }
      default: throw new ProtocolException(new ProtocolError.UnknownCommand(word));
    }
  }

  private ReplicationCommand startReplication() throws ProtocolException {
    Optional<String> slot = Optional.empty();
    if (peekWord("SLOT")) {
      pos++;
      slot = Optional.of(name("slot name"));
    }
    if (peekWord("LOGICAL")) throw new ProtocolException(new ProtocolError.Unsupported("logical replication"));
    if (peekWord("PHYSICAL")) pos++;
    Lsn start = lsn("start position");
    OptionalInt timeline = OptionalInt.empty();
    if (peekWord("TIMELINE")) {
      pos++;
      timeline = OptionalInt.of(timeline());
    }
    Map<String, String> options = peekIs("(") ? options() : Map.of();
    OptionalLong term = OptionalLong.empty();
    if (options.containsKey("term")) {
      try {
        term = OptionalLong.of(Long.parseUnsignedLong(options.get("term")));
      } catch (NumberFormatException e) {
        throw syntax("term '" + options.get("term") + "' is not an unsigned 64-bit number");
      }
    }
    return new ReplicationCommand.StartReplication(slot, start, timeline, term, options);
  }

  private ReplicationCommand basebackup() throws ProtocolException {
    String tenant = name("tenant id");
    String timeline = name("timeline id");
    Optional<Lsn> lsn = Optional.empty();
    if (peekKind(Kind.LSN)) lsn = Optional.of(lsn("lsn"));
    else if (peekWord("LATEST")) pos++;
    boolean gzip = false;
    boolean replica = false;
    while (pos < tokens.size()) {
      String flag = name("flag");
      if (flag.equals("--gzip")) gzip = true;
      else if (flag.equals("--replica")) replica = true;
      else throw syntax("unknown flag '" + flag + "'");
    }
    return new ReplicationCommand.Basebackup(tenant, timeline, lsn, gzip, replica);
  }

  /** {@code ( name [[=] value] {, name [[=] value]} )}; a name without a value maps to "". */
  private Map<String, String> options() throws ProtocolException {
    expect("(");
    Map<String, String> out = new LinkedHashMap<>();
    do {
      String key = name("option name").toLowerCase(Locale.ROOT);
      if (peekIs("=")) pos++;
      String value = "";
      if (pos < tokens.size() && tokens.get(pos).kind != Kind.PUNCT) value = tokens.get(pos++).text;
      if (out.put(key, value) != null) throw syntax("option '" + key + "' given twice");
    } while (accept(","));
    expect(")");
    return out;
  }

  private int timeline() throws ProtocolException {
    Token t = next("timeline");
    try {
      int tli = Integer.parseInt(t.text);
      if (tli >= 1) return tli;
    } catch (NumberFormatException e) {
      // reported below with the text
    }
    throw syntax("timeline '" + t.text + "' is not a positive number");
  }

  private Lsn lsn(String what) throws ProtocolException {
    Token t = next(what);
    if (t.kind != Kind.LSN) throw syntax(what + " '" + t.text + "' is not an LSN X/Y");
    try {
      return Lsn.parse(t.text);
    } catch (IllegalArgumentException e) {
      throw syntax(e.getMessage());
    }
  }

  private String name(String what) throws ProtocolException {
    Token t = next(what);
    if (t.kind != Kind.WORD && t.kind != Kind.QUOTED_IDENT && t.kind != Kind.STRING) throw syntax("expected " + what + ", got '" + t.text + "'");
    return t.text;
  }

  private Token next(String what) throws ProtocolException {
    if (pos >= tokens.size()) throw syntax("missing " + what);
    return tokens.get(pos++);
  }

  private boolean peekWord(String keyword) {
    return pos < tokens.size() && tokens.get(pos).kind == Kind.WORD && tokens.get(pos).text.equalsIgnoreCase(keyword);
  }

  private boolean peekKind(Kind kind) {
    return pos < tokens.size() && tokens.get(pos).kind == kind;
  }

  private boolean peekIs(String punct) {
    return pos < tokens.size() && tokens.get(pos).kind == Kind.PUNCT && tokens.get(pos).text.equals(punct);
  }

  private boolean accept(String punct) {
    if (!peekIs(punct)) return false;
    pos++;
    return true;
  }

  private void expect(String punct) throws ProtocolException {
    if (!accept(punct)) throw syntax(pos < tokens.size() ? "expected '" + punct + "', got '" + tokens.get(pos).text + "'" : "missing '" + punct + "'");
  }

  private ProtocolException syntax(String problem) {
    return new ProtocolException(new ProtocolError.CommandSyntax(command, problem));
  }

  private static boolean wordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '$' || c == '-';
  }

  private static boolean hex(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  private static List<Token> tokenize(String q) throws ProtocolException {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < q.length()) {
      char c = q.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"') {
        StringBuilder text = new StringBuilder();
        int j = i + 1;
        while (true) {
          if (j >= q.length()) throw new ProtocolException(new ProtocolError.CommandSyntax(firstWord(q), "unterminated quoted string"));
          char d = q.charAt(j++);
          if (d == c) {
            if (j < q.length() && q.charAt(j) == c) j++;
            else break;
          }
          text.append(d);
        }
        out.add(new Token(c == '\'' ? Kind.STRING : Kind.QUOTED_IDENT, text.toString()));
        i = j;
      } else if (wordChar(c)) {
        int j = i;
        while (j < q.length() && wordChar(q.charAt(j))) j++;
        String word = q.substring(i, j);
        int k = j + 1;
        while (k < q.length() && wordChar(q.charAt(k))) k++;
        if (j < q.length() && q.charAt(j) == '/' && hex(word) && hex(q.substring(j + 1, k))) {
          out.add(new Token(Kind.LSN, q.substring(i, k)));
          i = k;
        } else {
          out.add(new Token(Kind.WORD, word));
          i = j;
        }
      } else {
        out.add(new Token(Kind.PUNCT, String.valueOf(c)));
        i++;
      }
    }
    return out;
  }

  private static String firstWord(String q) {
    String s = q.strip();
    int sp = 0;
    while (sp < s.length() && wordChar(s.charAt(sp))) sp++;
    return s.substring(0, sp).toUpperCase(Locale.ROOT);
  }
}
