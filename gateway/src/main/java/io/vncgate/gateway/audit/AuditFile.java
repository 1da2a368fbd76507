package io.vncgate.gateway.audit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.rolling.TimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import io.vncgate.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The audit file: a logback file appender set up in code (not in logback.xml) for a logger of its
 * own that does not pass its lines on to the console. Rolled by logback when {@code audit} asks
 * for it (size: {@code audit.jsonl.1} … newest first; time: {@code audit.jsonl.2026-12-02} in UTC,
 * with {@code .N} when a size is set too). Whoever else moves the file (logrotate without
 * {@code copytruncate}) is noticed before the next line: the file is opened anew at its path, so no
 * signal is needed and no line is lost. Used from one thread (the audit's).
 */
final class AuditFile {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Path path;
  private final ch.qos.logback.classic.Logger logger;
  private final FileAppender<ILoggingEvent> appender;
  /** The identity (device, inode) of the file written last; null: unknown. */
  private Object fileKey;

  private AuditFile(Path path, ch.qos.logback.classic.Logger logger, FileAppender<ILoggingEvent> appender) {
    this.path = path;
    this.logger = logger;
    this.appender = appender;
    this.fileKey = fileKey(path);
  }

  static AuditFile open(GatewayConfig.Audit audit) throws IOException {
    Path path = audit.file().toAbsolutePath();
    if (path.getParent() != null) Files.createDirectories(path.getParent());
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      throw new IOException("the audit file needs logback as the SLF4J backend, found "
          + LoggerFactory.getILoggerFactory().getClass().getName());
    }
    FileAppender<ILoggingEvent> appender = audit.rolls() ? new RollingFileAppender<>() : new FileAppender<>();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.setCharset(StandardCharsets.UTF_8);
    encoder.start();
    appender.setContext(context);
    int n = INSTANCES.incrementAndGet();
    appender.setName("vncgate-audit-file-" + n); // logback checks that no two appenders of a name share a file
    appender.setFile(path.toString());
    appender.setAppend(true);
    appender.setImmediateFlush(true);
    appender.setEncoder(encoder);
    if (appender instanceof RollingFileAppender<ILoggingEvent> rolling) startPolicies(context, rolling, path, audit);
    long since = System.currentTimeMillis();
    appender.start();
    if (!appender.isStarted()) throw new IOException(errors(context, since));
    // one logger per audit file (tests run several gateways in one JVM), never additive: not on the console
    ch.qos.logback.classic.Logger logger = context.getLogger("vncgate.audit.file-" + n);
    logger.setAdditive(false);
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
    return new AuditFile(path, logger, appender);
  }

  private static void startPolicies(LoggerContext context, RollingFileAppender<ILoggingEvent> appender, Path path,
      GatewayConfig.Audit audit) {
    String gz = audit.compress() ? ".gz" : "";
    if (audit.rotate() == GatewayConfig.Audit.Rotate.NEVER) {
      FixedWindowRollingPolicy policy = new FixedWindowRollingPolicy();
      policy.setContext(context);
      policy.setParent(appender);
      policy.setFileNamePattern(path + ".%i" + gz);
      policy.setMinIndex(1);
      policy.setMaxIndex(audit.maxHistory());
      SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
      trigger.setContext(context);
      trigger.setMaxFileSize(new FileSize(audit.maxFileSize()));
      // the size is looked at for every line (audit lines are few), not at most every 60 ms: the file never outgrows it by more than a line
      trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(0));
      appender.setRollingPolicy(policy);
      appender.setTriggeringPolicy(trigger);
      policy.start();
      trigger.start();
      return;
    }
    String date = audit.rotate() == GatewayConfig.Audit.Rotate.HOURLY ? "%d{yyyy-MM-dd-HH,UTC}" : "%d{yyyy-MM-dd,UTC}";
    TimeBasedRollingPolicy<ILoggingEvent> policy;
    if (audit.maxFileSize() > 0) {
      SizeAndTimeBasedRollingPolicy<ILoggingEvent> sized = new SizeAndTimeBasedRollingPolicy<>();
      sized.setMaxFileSize(new FileSize(audit.maxFileSize()));
      sized.setFileNamePattern(path + "." + date + ".%i" + gz);
      policy = sized;
    } else {
      policy = new TimeBasedRollingPolicy<>();
      policy.setFileNamePattern(path + "." + date + gz);
    }
    policy.setContext(context);
    policy.setParent(appender);
    policy.setMaxHistory(audit.maxHistory());
    appender.setRollingPolicy(policy);
    policy.start();
  }

  /** Logback's words on why the appender did not start (it reports through its status list, not exceptions). */
  private static String errors(LoggerContext context, long since) {
    StringBuilder why = new StringBuilder();
    for (Status s : context.getStatusManager().getCopyOfStatusList()) {
      if (s.getLevel() < Status.WARN || s.getTimestamp() < since) continue;
      if (!why.isEmpty()) why.append("; ");
      why.append(s.getMessage());
      if (s.getThrowable() != null) why.append(": ").append(s.getThrowable().getMessage());
    }
    return why.isEmpty() ? "logback could not open it" : why.toString();
  }

  /** Appends one line; first opens the file anew when something else moved or deleted it. */
  void append(String line) {
    Object now = fileKey(path);
    if (!Objects.equals(now, fileKey)) reopen();
    logger.info("{}", line);
    fileKey = fileKey(path);
  }

  /** Opens the path again (creating it), appending; a rolling appender's policies stop with it and start again. */
  private void reopen() {
    appender.stop();
    if (appender instanceof RollingFileAppender<ILoggingEvent> rolling) {
      rolling.getRollingPolicy().start();
      if (rolling.getTriggeringPolicy() != rolling.getRollingPolicy()) rolling.getTriggeringPolicy().start();
    }
    appender.start();
  }

  void close() {
    logger.detachAppender(appender);
    appender.stop();
  }

  /** The file's identity (device and inode on Linux), or null when it is not there. */
  private static Object fileKey(Path path) {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return a.fileKey() != null ? a.fileKey() : a.creationTime();
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
  }
}
