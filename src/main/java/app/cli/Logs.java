package app.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/** Moves console logging to stderr, for commands whose stdout is their result. */
final class Logs {
  private Logs() {}

  /** With {@code enabled} false, logging is switched off entirely. */
  static void toStderr(boolean enabled) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext lc)) return;
    ch.qos.logback.classic.Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (!enabled) root.setLevel(Level.OFF);
    redirect(root.iteratorForAppenders());
  }

  private static void redirect(Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> appenders) {
    while (appenders.hasNext()) {
      Appender<ch.qos.logback.classic.spi.ILoggingEvent> a = appenders.next();
      if (a instanceof ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> c) {
        c.stop();
        c.setTarget("System.err");
        c.start();
      } else if (a instanceof AsyncAppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> async) {
        redirect(async.iteratorForAppenders());
      }
    }
  }
}
