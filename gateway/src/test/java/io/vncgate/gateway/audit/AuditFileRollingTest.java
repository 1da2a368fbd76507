package io.vncgate.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.config.GatewayConfig.Audit.Rotate;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The audit file through logback's appenders, on real files: rolled by size with no line lost and
 * lines going on into the new file; moved away (logrotate's default) or truncated in place
 * (logrotate's {@code copytruncate}) with no signal, and the lines after that in the file at its
 * path; never on the console.
 */
@Timeout(60)
class AuditFileRollingTest {
  @TempDir Path dir;

  @Test
  void aSmallSizeLimitRollsTheFileAndEveryLineIsInExactlyOneFileInOrder() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    ListAppender<ILoggingEvent> console = consoleWatch();
    try (AuditLog audit = AuditLog.toFile(new GatewayConfig.Audit(file, 2048, Rotate.NEVER, 20, false))) {
      for (int i = 0; i < 100; i++) audit.event("viewer.joined", "alice", "static/lab1", "s-1", "v-" + i, "line " + i);
    } finally {
      root().detachAppender(console);
    }
    assertTrue(Files.exists(dir.resolve("audit.jsonl.1")), "rolled at least once: " + listing());
    List<Integer> seen = new ArrayList<>();
    // oldest first: the highest index is the oldest rolled file, the live file the newest
    for (int i = 20; i >= 1; i--) {
      Path rolled = dir.resolve("audit.jsonl." + i);
      if (Files.exists(rolled)) {
        assertTrue(Files.size(rolled) <= 2048 + 200, rolled + " is " + Files.size(rolled) + " bytes, over the limit by more than a line");
        seen.addAll(numbers(rolled));
      }
    }
    List<Integer> live = numbers(file);
    assertFalse(live.isEmpty(), "the lines after the last roll are in the live file");
    seen.addAll(live);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) expected.add(i);
    assertEquals(expected, seen, "every line once, in order, across " + listing());
    assertEquals(99, live.get(live.size() - 1));
    assertTrue(console.list.stream().noneMatch(e -> e.getFormattedMessage().contains("line ")), "no audit line on the console");
  }

  @Test
  void aFileMovedAwayIsOpenedAnewAtItsPathWithoutASignal() throws Exception {
    Path file = dir.resolve("audit.log");
    try (AuditLog audit = AuditLog.toFile(new GatewayConfig.Audit(file, 0, Rotate.NEVER, 10, false))) {
      for (int i = 0; i < 5; i++) audit.event("control.taken", "bob", "static/lab1", "s-1", "v-1", "line " + i);
      awaitLines(file, 5);
      Files.move(file, dir.resolve("audit.log.1"), StandardCopyOption.ATOMIC_MOVE); // logrotate without copytruncate
      for (int i = 5; i < 10; i++) audit.event("control.taken", "bob", "static/lab1", "s-1", "v-1", "line " + i);
    }
    assertEquals(List.of(0, 1, 2, 3, 4), numbers(dir.resolve("audit.log.1")));
    assertEquals(List.of(5, 6, 7, 8, 9), numbers(file), "the lines after the move are in a new file at the path");
  }

  @Test
  void aRollingFileMovedAwayIsOpenedAnewAndRollsOn() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (AuditLog audit = AuditLog.toFile(new GatewayConfig.Audit(file, 2048, Rotate.NEVER, 20, false))) {
      for (int i = 0; i < 5; i++) audit.event("control.taken", "bob", "static/lab1", "s-1", "v-1", "line " + i);
      awaitLines(file, 5);
      Files.move(file, dir.resolve("moved.jsonl"), StandardCopyOption.ATOMIC_MOVE);
      for (int i = 5; i < 60; i++) audit.event("control.taken", "bob", "static/lab1", "s-1", "v-1", "line " + i);
    }
    assertEquals(List.of(0, 1, 2, 3, 4), numbers(dir.resolve("moved.jsonl")));
    assertTrue(Files.exists(dir.resolve("audit.jsonl.1")), "it rolled after the reopen: " + listing());
    List<Integer> seen = new ArrayList<>();
    for (int i = 20; i >= 1; i--) {
      if (Files.exists(dir.resolve("audit.jsonl." + i))) seen.addAll(numbers(dir.resolve("audit.jsonl." + i)));
    }
    seen.addAll(numbers(file));
    assertEquals(55, seen.size(), "every line after the move once: " + seen);
    assertEquals(5, seen.get(0));
    assertEquals(59, seen.get(54));
  }

  @Test
  void aFileTruncatedInPlaceGoesOnFromItsStartWithNoHole() throws Exception {
    Path file = dir.resolve("audit.log");
    try (AuditLog audit = AuditLog.toFile(new GatewayConfig.Audit(file, 0, Rotate.NEVER, 10, false))) {
      for (int i = 0; i < 5; i++) audit.event("control.taken", "bob", "static/lab1", "s-1", "v-1", "line " + i);
      awaitLines(file, 5);
      Files.copy(file, dir.resolve("audit.log.1")); // logrotate's copytruncate
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
        c.truncate(0);
      }
      for (int i = 5; i < 8; i++) audit.event("control.taken", "bob", "static/lab1", "s-1", "v-1", "line " + i);
    }
    assertEquals(List.of(0, 1, 2, 3, 4), numbers(dir.resolve("audit.log.1")));
    byte[] bytes = Files.readAllBytes(file);
    assertNotEquals(0, bytes[0], "no run of zero bytes where the old lines were (the file is appended to)");
    assertEquals(List.of(5, 6, 7), numbers(file));
  }

  @Test
  void anHourlyRotationStartsAndWritesTheSameJsonLines() throws Exception {
    Path file = dir.resolve("hourly.jsonl");
    try (AuditLog audit = AuditLog.toFile(new GatewayConfig.Audit(file, 1024 * 1024, Rotate.HOURLY, 48, true))) {
      audit.event("auth.refused", null, null, null, null, "line 0", "127.0.0.1:5000", "ticket");
    }
    JsonObject line = new JsonObject(Files.readAllLines(file).get(0));
    assertEquals("auth.refused", line.getString("event"));
    assertEquals("127.0.0.1:5000", line.getString("remote"));
    assertEquals("ticket", line.getString("outcome"));
    assertTrue(line.getString("time").endsWith("Z"), line.encode());
  }

  @Test
  void aFileThatCannotBeOpenedIsRefusedWithLogbacksWords() throws Exception {
    Path blocker = Files.createDirectory(dir.resolve("is-a-directory"));
    try {
      AuditLog.toFile(new GatewayConfig.Audit(blocker, 0, Rotate.NEVER, 10, false)).close();
      throw new AssertionError("a directory was opened as the audit file");
    } catch (IOException e) {
      assertTrue(e.getMessage().contains("is-a-directory"), e.getMessage());
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static ListAppender<ILoggingEvent> consoleWatch() {
    ListAppender<ILoggingEvent> a = new ListAppender<>();
    a.setContext(root().getLoggerContext());
    a.start();
    root().addAppender(a);
    return a;
  }

  private static void awaitLines(Path file, int n) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readAllLines(file).size() >= n) return;
      Thread.sleep(20);
    }
    throw new AssertionError(file + " did not get " + n + " lines");
  }

  /** The N of each line's cause "line N", in file order; every line must be whole JSON. */
  private static List<Integer> numbers(Path file) throws IOException {
    List<Integer> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(Integer.parseInt(new JsonObject(l).getString("cause").substring(5)));
    }
    return out;
  }

  private String listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
    }
  }
}
