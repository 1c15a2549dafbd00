package actors.pageserver;

import actors.proposer.PgClientSession.PgServerError;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;
import wire.pg.ProtocolException;

/** Why a walreceiver connection ended, one word each in the WARN line that reports it. */
public enum FailureReason {
  /** No message (WAL or keepalive) within connect-timeout, or no answer while connecting. */
  TIMEOUT("timeout"),
  /** Nothing listens at the safekeeper's address. */
  CONNECTION_REFUSED("connection-refused"),
  /** The connection broke or the safekeeper closed it. */
  CONNECTION_LOST("connection-lost"),
  /** The safekeeper answered with an error, or sent something the protocol does not allow. */
  PROTOCOL_ERROR("protocol-error"),
  /** Another safekeeper's commit_lsn is ahead by at least max-lsn-wal-lag. */
  LAGGING("lagging"),
  /** The safekeeper has more WAL but sent none within lagging-wal-timeout. */
  NO_WAL("no-wal"),
  /** The timeline could not ingest what arrived. */
  INGEST_FAILED("ingest-failed");

  private final String label;

  FailureReason(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }

  /** The reason a stream failed with {@code error}, judged from the exception and its causes. */
  public static FailureReason of(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgServerError || t instanceof ProtocolException) return PROTOCOL_ERROR;
      if (t instanceof ConnectException) return CONNECTION_REFUSED;
      if (t instanceof TimeoutException || t instanceof SocketTimeoutException) return TIMEOUT;
      String m = t.getMessage();
      if (m != null && m.contains("Connection refused")) return CONNECTION_REFUSED;   // Akka TCP names it only in text
    }
    return CONNECTION_LOST;
  }

  /** What went wrong in the exception's own words, for the one line that reports it. */
  public static String detail(Throwable error) {
    return error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
  }
}
