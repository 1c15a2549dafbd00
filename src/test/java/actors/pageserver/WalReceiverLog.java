package actors.pageserver;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/** The WARN lines {@link WalReceiver}s log about ended connections, captured for a test. */
public final class WalReceiverLog implements AutoCloseable {
  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

  /** One "connection failed" line: its fields, and whether a stack trace came with it. */
  public record Failure(String sk, String reason, long backoffMillis, boolean hasThrowable, String line) {}

  private final Logger logger = (Logger) LoggerFactory.getLogger(WalReceiver.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public WalReceiverLog() {
    appender.start();
    logger.addAppender(appender);
  }

  /** Every failure line for {@code timeline} so far, in order. */
  public List<Failure> failures(String timeline) {
    List<ILoggingEvent> events;
    synchronized (appender) {   // AppenderBase.doAppend holds this lock
      events = List.copyOf(appender.list);
    }
    return events.stream()
        .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("timeline=" + timeline + " "))
        .map(e -> {
          String line = e.getFormattedMessage();
          java.util.Map<String, String> f = new java.util.HashMap<>();
          Matcher m = FIELD.matcher(line.substring(0, line.indexOf(" detail=") < 0 ? line.length() : line.indexOf(" detail=")));
          while (m.find()) f.put(m.group(1), m.group(2));
          return new Failure(f.get("sk"), f.get("reason"), Long.parseLong(f.getOrDefault("backoff", "-1ms").replace("ms", "")),
              e.getThrowableProxy() != null, line);
        })
        .toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
