package io.vncgate.gateway.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import io.vncgate.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging.*} to logback once the config is read (logback.xml sets up a text appender
 * before that): {@code format: json} gives every console appender of the root logger logback's
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
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> a) streams.add(a);
    }
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
}
