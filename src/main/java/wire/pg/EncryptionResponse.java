package wire.pg;

/**
 * The server's one-byte answer to SSLRequest or GSSENCRequest: 'S'/'G' to start encryption, 'N' to
 * go on in clear text. It has no type byte or length word, so only a server encodes it; a client
 * reads the single byte itself before handing the stream to a decoder.
 */
public record EncryptionResponse(boolean accepted, char acceptCode) implements BackendMessage {
  public static final EncryptionResponse REFUSED = new EncryptionResponse(false, 'N');

  @Override public byte[] encode() {
    return new byte[] {(byte) (accepted ? acceptCode : 'N')};
  }
}
