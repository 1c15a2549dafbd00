package wire.pg;

/**
 * The server's one-byte answer to SSLRequest ('S' to start TLS) or GSSENCRequest ('G'), or 'N'
 * to go on in clear text. It has no type byte or length word, so only a server encodes it; a
 * client reads the single byte itself before handing the stream to a decoder.
 */
public record EncryptionResponse(char code) implements BackendMessage {
  public static final EncryptionResponse REFUSED = new EncryptionResponse('N');

  public EncryptionResponse {
    if (code != 'N' && code != 'S' && code != 'G') throw new IllegalArgumentException("encryption response must be N, S or G, got " + code);
  }

  @Override public byte[] encode() {
    return new byte[] {(byte) code};
  }
}
