package actors.proposer;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Where the proposer's PostgreSQL listens and how to log in: {@code postgresql://user[:password]@host:port/db}. */
public record PostgresUrl(String host, int port, String user, String password, String database) {
  /** Parses the URL; the message of a failure names the URL (password hidden) and what is wrong. */
  public static PostgresUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid PostgreSQL URL '" + hidePassword(url) + "': " + e.getReason());
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw bad(url, "the scheme must be postgresql://");
    }
    if (uri.getHost() == null || uri.getPort() <= 0) throw bad(url, "expected host:port");
    String info = uri.getRawUserInfo();
    if (info == null || info.isEmpty()) throw bad(url, "expected a user name before @");
    int colon = info.indexOf(':');
    String user = decode(colon < 0 ? info : info.substring(0, colon));
    String password = colon < 0 ? null : decode(info.substring(colon + 1));
    String path = uri.getPath() == null ? "" : uri.getPath();
    String database = path.length() > 1 ? path.substring(1) : user;
    return new PostgresUrl(uri.getHost(), uri.getPort(), user, password, database);
  }

  private static IllegalArgumentException bad(String url, String problem) {
    return new IllegalArgumentException("invalid PostgreSQL URL '" + hidePassword(url) + "': " + problem);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  static String hidePassword(String url) {
    return url.replaceAll("://([^:@/]*):[^@/]*@", "://$1:***@");
  }

  @Override
  public String toString() {
    return "postgresql://" + user + (password != null ? ":***" : "") + "@" + host + ":" + port + "/" + database;
  }
}
