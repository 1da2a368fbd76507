package io.vncgate.gateway.audit;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.config.GatewayConfig;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one JSON line per event (viewer joined/left, control taken/released, session
 * ended, auth refused, clipboard) with time, event, user, target, session, viewer and cause.
 * Written by one background thread — never on the event loop — to a file ({@code audit.file},
 * through logback's rolling appender: {@link AuditFile}) or, without a file, to the log under the
 * logger {@code vncgate.audit}.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("vncgate.audit");
  private static final Logger self = LoggerFactory.getLogger(AuditLog.class);

  /** Null: lines go to the log. */
  private final AuditFile file;
  private final ExecutorService writer;

  private AuditLog(AuditFile file) {
    this.file = file;
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vncgate-audit");
      t.setDaemon(true);
      return t;
    });
  }

  /** Audit lines go to the log. */
  public static AuditLog toLog() {
    return new AuditLog(null);
  }

  /**
   * Audit lines are appended to {@code audit.file} (created if missing), rolled as {@code audit}
   * says (docs/configuration.md).
   *
   * @throws IOException the file cannot be opened (the message says why, without the key)
   */
  public static AuditLog toFile(GatewayConfig.Audit audit) throws IOException {
    return new AuditLog(AuditFile.open(audit));
  }

  public void event(String event, String user, String target, String session, String viewer, String cause) {
    event(event, user, target, session, viewer, cause, null);
  }

  /** @param remote the client's address and port (refusals before a user is known) */
  public void event(String event, String user, String target, String session, String viewer, String cause, String remote) {
    event(event, user, target, session, viewer, cause, remote, null);
  }

  /** @param outcome how a connection ended: the label of its {@code Outcome}, as in the metrics */
  public void event(String event, String user, String target, String session, String viewer, String cause, String remote,
      String outcome) {
    JsonObject line = line(event, remote, user, target, session, viewer);
    if (cause != null) line.put("cause", cause);
    if (outcome != null) line.put("outcome", outcome);
    write(line, null);
  }

  /**
   * An event whose further fields are worked out on the audit thread (a hash of a clipboard text:
   * never on the event loop). The time is taken now.
   */
  public void eventWorkedOut(String event, String user, String target, String session, String viewer, Consumer<JsonObject> more) {
    write(line(event, null, user, target, session, viewer), more);
  }

  private static JsonObject line(String event, String remote, String user, String target, String session, String viewer) {
    JsonObject line = new JsonObject().put("time", Instant.now().toString()).put("event", event);
    if (remote != null) line.put("remote", remote);
    if (user != null) line.put("user", user);
    if (target != null) line.put("target", target);
    if (session != null) line.put("session", session);
    if (viewer != null) line.put("viewer", viewer);
    return line;
  }

  private void write(JsonObject line, Consumer<JsonObject> more) {
    try {
      writer.execute(() -> {
        if (more != null) {
          try {
            more.accept(line);
          } catch (RuntimeException e) {
            self.error("audit event {}: its details could not be worked out", line.getString("event"), e);
          }
        }
        String text = line.encode();
        if (file == null) log.info("{}", text);
        else file.append(text);
      });
    } catch (RejectedExecutionException e) {
      self.warn("audit event {} after the audit log was closed: not written", line.getString("event"));
    }
  }

  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (file != null) file.close();
  }
}
