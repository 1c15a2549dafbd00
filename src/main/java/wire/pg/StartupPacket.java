package wire.pg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The untyped packets a client may open a connection with: a length word, a 32-bit code, then a
 * body. A server answers SSLRequest and GSSENCRequest with the single byte 'N' (see
 * {@link #REFUSE_ENCRYPTION}) and reads another startup packet.
 */
public sealed interface StartupPacket extends FrontendMessage {
  int PROTOCOL_3_0 = 3 << 16;
  int CANCEL_REQUEST_CODE = (1234 << 16) | 5678;
  int SSL_REQUEST_CODE = (1234 << 16) | 5679;
  int GSSENC_REQUEST_CODE = (1234 << 16) | 5680;

  /** Decodes the body after the length word. */
  static StartupPacket decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "StartupMessage");
    int code = r.int32("protocol version");
    switch (code) {
      case SSL_REQUEST_CODE: r.end(); return new SslRequest();
      case GSSENC_REQUEST_CODE: r.end(); return new GssEncRequest();
      case CANCEL_REQUEST_CODE: {
        MessageReader c = new MessageReader(body, "CancelRequest");
        c.int32("code");
        CancelRequest cancel = new CancelRequest(c.int32("process id"), c.int32("secret key"));
        c.end();
        return cancel;
      }
      default: return StartupMessage.decodeParameters(code, r);
    }
  }

  /** The real startup message: protocol version and parameters such as user, database, options. */
  record StartupMessage(int protocolVersion, Map<String, String> parameters) implements StartupPacket {
    public StartupMessage {
      parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    public static StartupMessage of(Map<String, String> parameters) {
      return new StartupMessage(PROTOCOL_3_0, parameters);
    }

    static StartupMessage decodeParameters(int code, MessageReader r) throws ProtocolException {
      if (code >>> 16 != 3) throw new ProtocolException(new ProtocolError.UnsupportedProtocolVersion(code >>> 16, code & 0xffff));
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        String name = r.cstring("parameter name");
        if (name.isEmpty()) break;
        String value = r.cstring("parameter value");
        if (params.put(name, value) != null) throw r.malformed("parameter '" + name + "' given twice");
      }
      r.end();
      if (!params.containsKey("user")) throw r.malformed("no user parameter");
      return new StartupMessage(code, params);
    }

    public int majorVersion() {
      return protocolVersion >>> 16;
    }

    public int minorVersion() {
      return protocolVersion & 0xffff;
    }

    public String user() {
      return parameters.getOrDefault("user", "");
    }

    /** The database; PostgreSQL defaults it to the user name. */
    public String database() {
      return parameters.getOrDefault("database", user());
    }

    /** The {@code replication} parameter: "true"/"on"/"yes"/"1" is physical, "database" logical. */
    public String replication() {
      return parameters.getOrDefault("replication", "false");
    }

    /**
     * The {@code -c name=value} and {@code --name=value} settings inside the {@code options}
     * parameter. Words are split at unescaped whitespace; a backslash escapes the next character.
     */
    public Map<String, String> optionSettings() throws ProtocolException {
      Map<String, String> out = new LinkedHashMap<>();
      List<String> words = splitOptions(parameters.getOrDefault("options", ""));
      for (int i = 0; i < words.size(); i++) {
        String w = words.get(i);
        String setting;
        if (w.equals("-c")) {
          if (++i == words.size()) throw malformedOptions("-c without a setting");
          setting = words.get(i);
        } else if (w.startsWith("-c")) {
          setting = w.substring(2);
        } else if (w.startsWith("--")) {
          setting = w.substring(2);
        } else if (w.indexOf('=') > 0) {
          setting = w;   // "-c a=1 b=2": Neon's computes pass several settings after one -c
        } else {
          throw malformedOptions("unexpected word '" + w + "'");
        }
        int eq = setting.indexOf('=');
        if (eq <= 0) throw malformedOptions("setting '" + setting + "' has no name=value");
        out.put(setting.substring(0, eq).replace('-', '_'), setting.substring(eq + 1));
      }
      return out;
    }

    private static ProtocolException malformedOptions(String problem) {
      return new ProtocolException(new ProtocolError.Malformed("options parameter", problem));
    }

    private static List<String> splitOptions(String options) {
      List<String> words = new ArrayList<>();
      StringBuilder word = new StringBuilder();
      boolean inWord = false;
      for (int i = 0; i < options.length(); i++) {
        char c = options.charAt(i);
        if (Character.isWhitespace(c)) {
          if (inWord) words.add(word.toString());
          word.setLength(0);
          inWord = false;
        } else {
          if (c == '\\' && i + 1 < options.length()) c = options.charAt(++i);
          word.append(c);
          inWord = true;
        }
      }
      if (inWord) words.add(word.toString());
      return words;
    }

    @Override
    public byte[] encode() {
      MessageWriter w = MessageWriter.untyped().int32(protocolVersion);
      parameters.forEach((k, v) -> w.cstring(k).cstring(v));
      return w.int8(0).finish();
    }
  }

  record SslRequest() implements StartupPacket {
    @Override public byte[] encode() { return MessageWriter.untyped().int32(SSL_REQUEST_CODE).finish(); }
  }

  record GssEncRequest() implements StartupPacket {
    @Override public byte[] encode() { return MessageWriter.untyped().int32(GSSENC_REQUEST_CODE).finish(); }
  }

  /** Sent on a fresh connection to cancel the query running on another one. */
  record CancelRequest(int processId, int secretKey) implements StartupPacket {
    @Override public byte[] encode() {
      return MessageWriter.untyped().int32(CANCEL_REQUEST_CODE).int32(processId).int32(secretKey).finish();
    }
  }
}
