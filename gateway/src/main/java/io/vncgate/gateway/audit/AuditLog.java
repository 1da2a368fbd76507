package io.vncgate.gateway.audit;

import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one JSON line per event (viewer joined/left, control taken/released, session
 * ended, auth refused) with time, event, user, target, session, viewer and cause. Written to a
 * file ({@code audit.file}) by one background thread — never on the event loop — or, without a
 * file, to the log under the logger {@code vncgate.audit}.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("vncgate.audit");
  private static final Logger self = LoggerFactory.getLogger(AuditLog.class);

  private final BufferedWriter file;
  private final ExecutorService writer;

  private AuditLog(BufferedWriter file) {
    this.file = file;
    this.writer = file == null ? null : Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vncgate-audit");
      t.setDaemon(true);
      return t;
    });
  }

  /** Audit lines go to the log. */
  public static AuditLog toLog() {
    return new AuditLog(null);
  }

  /** Audit lines are appended to {@code path} (created if missing). */
  public static AuditLog toFile(Path path) throws IOException {
    if (path.getParent() != null) Files.createDirectories(path.getParent());
    return new AuditLog(Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
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
    JsonObject line = new JsonObject().put("time", Instant.now().toString()).put("event", event);
    if (remote != null) line.put("remote", remote);
    if (user != null) line.put("user", user);
    if (target != null) line.put("target", target);
    if (session != null) line.put("session", session);
    if (viewer != null) line.put("viewer", viewer);
    if (cause != null) line.put("cause", cause);
    if (outcome != null) line.put("outcome", outcome);
    String text = line.encode();
    if (file == null) {
      log.info(text);
      return;
    }
    writer.execute(() -> {
      try {
        file.write(text);
        file.newLine();
        file.flush();
      } catch (IOException e) {
        self.error("cannot write the audit file: {}", e.getMessage());
      }
    });
  }

  @Override
  public void close() {
    if (writer == null) return;
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
      file.close();
    } catch (IOException | InterruptedException e) {
      self.warn("closing the audit file: {}", e.toString());
    }
  }
}
