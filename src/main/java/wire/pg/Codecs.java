package wire.pg;

/**
 * Type byte to message, for each direction. The decoder asks {@code knows*} as soon as a header
 * arrives, so garbage fails before its body is buffered.
 */
final class Codecs {
  private Codecs() {}

  static boolean knowsFrontend(char type) {
    return switch (type) {
      case Query.TYPE, PasswordPacket.TYPE, CopyData.TYPE, CopyDone.TYPE, CopyFail.TYPE, Sync.TYPE, Flush.TYPE,
          Terminate.TYPE -> true;
      default -> false;
    };
  }

  static boolean knowsBackend(char type) {
    return switch (type) {
      case Authentication.TYPE, ParameterStatus.TYPE, BackendKeyData.TYPE, ReadyForQuery.TYPE, RowDescription.TYPE,
          DataRow.TYPE, CommandComplete.TYPE, EmptyQueryResponse.TYPE, ErrorResponse.TYPE, NoticeResponse.TYPE,
          CopyResponse.IN, CopyResponse.OUT, CopyResponse.BOTH, CopyData.TYPE, CopyDone.TYPE,
          NegotiateProtocolVersion.TYPE -> true;
      default -> false;
    };
  }

  static FrontendMessage frontend(char type, byte[] body) throws ProtocolException {
    return switch (type) {
      case Query.TYPE -> Query.decode(body);
      case PasswordPacket.TYPE -> new PasswordPacket(body);
      case CopyData.TYPE -> new CopyData(body);
      case CopyDone.TYPE -> empty(body, "CopyDone", new CopyDone());
      case CopyFail.TYPE -> CopyFail.decode(body);
      case Sync.TYPE -> empty(body, "Sync", new Sync());
      case Flush.TYPE -> empty(body, "Flush", new Flush());
      case Terminate.TYPE -> empty(body, "Terminate", new Terminate());
      default -> throw new ProtocolException(new ProtocolError.UnknownMessageType(type));
    };
  }

  static BackendMessage backend(char type, byte[] body) throws ProtocolException {
    return switch (type) {
      case Authentication.TYPE -> Authentication.decode(body);
      case ParameterStatus.TYPE -> ParameterStatus.decode(body);
      case BackendKeyData.TYPE -> BackendKeyData.decode(body);
      case ReadyForQuery.TYPE -> ReadyForQuery.decode(body);
      case RowDescription.TYPE -> RowDescription.decode(body);
      case DataRow.TYPE -> DataRow.decode(body);
      case CommandComplete.TYPE -> CommandComplete.decode(body);
      case EmptyQueryResponse.TYPE -> empty(body, "EmptyQueryResponse", new EmptyQueryResponse());
      case ErrorResponse.TYPE -> ErrorResponse.decode(body);
      case NoticeResponse.TYPE -> NoticeResponse.decode(body);
      case CopyResponse.IN, CopyResponse.OUT, CopyResponse.BOTH -> CopyResponse.decode(type, body);
      case CopyData.TYPE -> new CopyData(body);
      case CopyDone.TYPE -> empty(body, "CopyDone", new CopyDone());
      case NegotiateProtocolVersion.TYPE -> NegotiateProtocolVersion.decode(body);
      default -> throw new ProtocolException(new ProtocolError.UnknownMessageType(type));
    };
  }

  private static <M> M empty(byte[] body, String name, M message) throws ProtocolException {
    new MessageReader(body, name).end();
    return message;
  }
}
