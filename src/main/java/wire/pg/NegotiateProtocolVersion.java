package wire.pg;

import java.util.ArrayList;
import java.util.List;

/** The server supports an older minor protocol version, or not all requested protocol options. */
public record NegotiateProtocolVersion(int newestMinor, List<String> unrecognizedOptions) implements BackendMessage {
  public static final char TYPE = 'v';

  public NegotiateProtocolVersion {
    unrecognizedOptions = List.copyOf(unrecognizedOptions);
  }

  static NegotiateProtocolVersion decode(byte[] body) throws ProtocolException {
    MessageReader r = new MessageReader(body, "NegotiateProtocolVersion");
    int minor = r.int32("newest minor version");
    int n = r.int32("option count");
    if (n < 0 || n > r.remaining()) throw r.malformed("option count " + n + " does not fit in " + r.remaining() + " bytes");
    List<String> options = new ArrayList<>(n);
    for (int i = 0; i < n; i++) options.add(r.cstring("option name"));
    r.end();
    return new NegotiateProtocolVersion(minor, options);
  }

  @Override public byte[] encode() {
    MessageWriter w = MessageWriter.typed(TYPE).int32(newestMinor).int32(unrecognizedOptions.size());
    unrecognizedOptions.forEach(w::cstring);
    return w.finish();
  }
}
