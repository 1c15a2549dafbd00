package wire.pg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;

/**
 * A server's side of authentication after the StartupMessage, as a pure state machine: send what
 * {@link #start()} returns, feed each PasswordPacket to {@link #onPassword}, until a
 * {@link Done} whose messages end with AuthenticationOk. A wrong password or a broken exchange is a
 * {@link ProtocolException}; the server then sends its FATAL ErrorResponse and closes.
 */
public final class ServerAuth {
  /** What to send next. */
  public sealed interface Step {}

  /** Send this request and wait for the client's next PasswordPacket. */
  public record Continue(Authentication request) implements Step {}

  /** Authenticated: send these (the last is AuthenticationOk), then ParameterStatus etc. */
  public record Done(List<Authentication> messages) implements Step {}

  public enum Method { TRUST, CLEARTEXT, MD5, SCRAM_SHA_256 }

  private enum State { NEW, WAIT_PASSWORD, WAIT_SASL_INITIAL, WAIT_SASL_RESPONSE, DONE }

  private final Method method;
  private final String user;
  private final String secret;
  private final ScramVerifier verifier;
  private final Random random;
  private State state = State.NEW;
  private byte[] salt;
  private ScramServer scram;

  private ServerAuth(Method method, String user, String secret, ScramVerifier verifier, Random random) {
    this.method = method;
    this.user = user;
    this.secret = secret;
    this.verifier = verifier;
    this.random = random;
  }

  public static ServerAuth trust() {
    return new ServerAuth(Method.TRUST, "", null, null, null);
  }

  /** The client sends the password in clear text (Strata's services use it for tokens). */
  public static ServerAuth cleartext(String user, String password) {
    return new ServerAuth(Method.CLEARTEXT, user, password, null, null);
  }

  /** {@code secret} is either the password or PostgreSQL's stored "md5…" form. */
  public static ServerAuth md5(String user, String secret, Random random) {
    String stored = Md5Auth.isStored(secret) ? secret : Md5Auth.stored(user, secret);
    return new ServerAuth(Method.MD5, user, stored, null, random);
  }

  public static ServerAuth scram(String user, ScramVerifier verifier, Random random) {
    return new ServerAuth(Method.SCRAM_SHA_256, user, null, verifier, random);
  }

  public Method method() {
    return method;
  }

  public Step start() {
    if (state != State.NEW) throw new IllegalStateException("ServerAuth started twice");
    switch (method) {
      case TRUST:
        state = State.DONE;
        return new Done(List.of(new Authentication.Ok()));
      case CLEARTEXT:
        state = State.WAIT_PASSWORD;
        return new Continue(new Authentication.CleartextPassword());
      case MD5:
        state = State.WAIT_PASSWORD;
        salt = new byte[4];
        random.nextBytes(salt);
        return new Continue(new Authentication.Md5Password(salt));
      default:
        state = State.WAIT_SASL_INITIAL;
        return new Continue(new Authentication.Sasl(List.of(Scram.MECHANISM)));
    }
  }

  public Step onPassword(PasswordPacket packet) throws ProtocolException {
    switch (state) {
      case WAIT_PASSWORD: {
        String given = PasswordMessage.decode(packet).password();
        String expected = method == Method.MD5 ? Md5Auth.responseFromStored(secret, salt) : secret;
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
          throw failed("wrong password");
        }
        state = State.DONE;
        return new Done(List.of(new Authentication.Ok()));
      }
      case WAIT_SASL_INITIAL: {
        SaslInitialResponse initial = SaslInitialResponse.decode(packet);
        if (!Scram.MECHANISM.equals(initial.mechanism())) throw failed("unsupported SASL mechanism '" + initial.mechanism() + "'");
        if (initial.data() == null) throw new ProtocolException(new ProtocolError.Malformed("SASLInitialResponse", "no initial data"));
        scram = new ScramServer(user, verifier, random);
        state = State.WAIT_SASL_RESPONSE;
        return new Continue(Authentication.SaslContinue.of(scram.serverFirstMessage(initial.text())));
      }
      case WAIT_SASL_RESPONSE: {
        String serverFinal = scram.serverFinalMessage(SaslResponse.decode(packet).text());
        state = State.DONE;
        return new Done(List.of(Authentication.SaslFinal.of(serverFinal), new Authentication.Ok()));
      }
      default:
        String expected = state == State.NEW ? "the start of authentication" : "a query (already authenticated)";
        throw new ProtocolException(new ProtocolError.UnexpectedMessage(expected, "PasswordMessage"));
    }
  }

  private ProtocolException failed(String reason) {
    return new ProtocolException(new ProtocolError.AuthenticationFailed(user, reason));
  }
}
