package wire.pg;

/** A message a client sends to a server. */
public sealed interface FrontendMessage
    permits StartupPacket, Query, PasswordPacket, PasswordMessage, SaslInitialResponse, SaslResponse,
        CopyData, CopyDone, CopyFail, Sync, Flush, Terminate {
  /** The complete message as it goes on the wire. */
  byte[] encode();
}
