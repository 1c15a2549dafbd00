package wire.pg;

import java.util.Optional;
import java.util.Random;

/**
 * A client's side of authentication: answers each Authentication request with the message to
 * send (cleartext, MD5 or SCRAM-SHA-256). Refuses an AuthenticationOk that skips the end of a
 * SCRAM exchange, since only the final message proves the server knew the password.
 */
public final class ClientAuth {
  private final String user;
  private final String password;
  private final Random random;
  private ScramClient scram;
  private boolean ok;

  /** {@code password} may be null when the server is expected to trust the client. */
  public ClientAuth(String user, String password, Random random) {
    this.user = user;
    this.password = password;
    this.random = random;
  }

  public boolean isAuthenticated() {
    return ok;
  }

  /** The reply to {@code request}, or empty when none is due (Ok, SASLFinal). */
  public Optional<FrontendMessage> onRequest(Authentication request) throws ProtocolException {
    if (request instanceof Authentication.Ok) {
      if (scram != null && !scram.isVerified()) throw failed("server ended SCRAM without proving it knows the password");
      ok = true;
      return Optional.empty();
    }
    if (request instanceof Authentication.CleartextPassword) {
      return Optional.of(new PasswordMessage(password()));
    }
    if (request instanceof Authentication.Md5Password md5) {
      return Optional.of(new PasswordMessage(Md5Auth.response(user, password(), md5.salt())));
    }
    if (request instanceof Authentication.Sasl sasl) {
      if (!sasl.mechanisms().contains(Scram.MECHANISM)) throw failed("server offers only " + sasl.mechanisms());
      scram = new ScramClient(password(), random);
      return Optional.of(SaslInitialResponse.of(Scram.MECHANISM, scram.clientFirstMessage()));
    }
    if (request instanceof Authentication.SaslContinue next) {
      if (scram == null) throw unexpected("AuthenticationSASLContinue");
      return Optional.of(SaslResponse.of(scram.clientFinalMessage(next.text())));
    }
    Authentication.SaslFinal fin = (Authentication.SaslFinal) request;
    if (scram == null) throw unexpected("AuthenticationSASLFinal");
    scram.verifyServerFinal(fin.text());
    return Optional.empty();
  }

  private String password() throws ProtocolException {
    if (password == null) throw failed("the server asks for a password and none was given");
    return password;
  }

  private ProtocolException failed(String reason) {
    return new ProtocolException(new ProtocolError.AuthenticationFailed(user, reason));
  }

  private static ProtocolException unexpected(String got) {
    return new ProtocolException(new ProtocolError.UnexpectedMessage("AuthenticationSASL", got));
  }
}
