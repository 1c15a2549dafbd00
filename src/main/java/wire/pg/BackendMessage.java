package wire.pg;

/** A message a server sends to a client. */
public sealed interface BackendMessage
    permits Authentication, ParameterStatus, BackendKeyData, ReadyForQuery, RowDescription, DataRow,
        CommandComplete, EmptyQueryResponse, ErrorResponse, NoticeResponse, CopyResponse, CopyData, CopyDone,
        NegotiateProtocolVersion, EncryptionResponse {
  /** The complete message as it goes on the wire. */
  byte[] encode();
}
