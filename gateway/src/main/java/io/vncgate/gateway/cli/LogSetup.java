package io.vncgate.gateway.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import io.vncgate.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging.*} to logback once the config is read (logback.xml sets up a text appender
 * before that): {@code format: json} gives every console appender of the root logger (also behind
 * its queue, {@link ConsoleQueue}) logback's
 * {@link JsonEncoder} (one JSON object per line, the message formatted, key-value pairs as
 * {@code kvpList}); {@code access: false} turns the logger {@code vncgate.access} off.
 */
final class LogSetup {
  /** The HTTP access log's logger (one line per request, see front/AccessLog). */
  static final String ACCESS_LOGGER = "vncgate.access";

  private LogSetup() {}

  static void apply(GatewayConfig.Logging logging) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return; // another SLF4J binding: its own config
    if (!logging.access()) context.getLogger(ACCESS_LOGGER).setLevel(Level.OFF);
    if (logging.format() != GatewayConfig.LogFormat.JSON) return;
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    List<OutputStreamAppender<ILoggingEvent>> streams = new ArrayList<>();
    streams(root.iteratorForAppenders(), streams);
    for (OutputStreamAppender<ILoggingEvent> appender : streams) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.start();
      appender.stop();
      appender.setEncoder(json);
      appender.start();
    }
  }

  /**
   * At exit: lines logged from now on go straight to the console's appenders (not through the
   * {@link ConsoleQueue}: its thread may not outlive the JVM's exit), and what the queue holds is
   * written out first, waiting up to {@code maxMillis}.
   */
  static void flushAtExit(long maxMillis) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    List<ConsoleQueue> queues = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof ConsoleQueue q) queues.add(q);
    }
    for (ConsoleQueue q : queues) {
      for (Iterator<Appender<ILoggingEvent>> it = q.iteratorForAppenders(); it.hasNext(); ) root.addAppender(it.next());
      root.detachAppender(q);
    }
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    for (ConsoleQueue q : queues) {
      while (q.getNumberOfElementsInQueue() > 0 && System.nanoTime() < deadline) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The output-stream appenders among {@code appenders} and the appenders they pass on to (a queue's). */
  private static void streams(Iterator<Appender<ILoggingEvent>> appenders, List<OutputStreamAppender<ILoggingEvent>> out) {
    while (appenders.hasNext()) {
      Appender<ILoggingEvent> a = appenders.next();
      if (a instanceof OutputStreamAppender<ILoggingEvent> stream) out.add(stream);
      if (a instanceof AppenderAttachable<?> attachable) {
        @SuppressWarnings("unchecked")
        Iterator<Appender<ILoggingEvent>> inner = ((AppenderAttachable<ILoggingEvent>) attachable).iteratorForAppenders();
        streams(inner, out);
      }
    }
  }
}
