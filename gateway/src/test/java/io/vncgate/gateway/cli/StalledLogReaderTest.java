package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack: whoever reads the gateway's standard error stops reading (a full pipe, a log driver
 * applying backpressure). The gateway, started as a process with the logback.xml it ships, then
 * goes on answering: 9,000 requests, each an access-log line, while nobody reads its output (when
 * the event loop wrote the log itself it stopped at the pipe's 64 KiB, some 300 lines). The lines
 * that did not fit are counted and, once its output is read again, reported in one warning; the
 * lines are JSON with {@code logging.format: json}, through the queue.
 */
class StalledLogReaderTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void aStalledReaderOfStandardErrorDoesNotStopTheGateway() throws Exception {
    int port = FreePorts.next();
    Files.writeString(dir.resolve("jwt.key"), "stalled-log-test-secret-0123456789-abcdefghij\n");
    Path config = dir.resolve("vncgate.yaml");
    Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: " + port + "\n"
        + "auth:\n  jwt: {secret-file: jwt.key}\n"
        + "logging:\n  format: json\n"
        + "providers:\n  static:\n    targets:\n      - {id: lab1, host: 127.0.0.1, port: 5999}\n");
    Path shipped = Path.of(Main.class.getResource("/logback.xml").toURI()); // target/classes: what the jar has
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Dlogback.configurationFile=" + shipped,
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config", config.toString())
        .redirectOutput(dir.resolve("stdout.txt").toFile()); // standard error: a pipe nobody reads, for now
    pb.environment().keySet().removeIf(k -> k.startsWith("VNCGATE_"));
    Process serve = pb.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI healthz = URI.create("http://127.0.0.1:" + port + "/healthz");
      URI targets = URI.create("http://127.0.0.1:" + port + "/api/v1/targets");
      awaitHealthy(http, healthz, serve);

      int requests = 9_000;
      Semaphore inFlight = new Semaphore(16);
      AtomicInteger answered = new AtomicInteger();
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int i = 0; i < requests && failures.isEmpty(); i++) { // a request not answered in 10 s: stop there
        inFlight.acquire();
        all.add(http.sendAsync(HttpRequest.newBuilder(targets).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding())
            .whenComplete((r, e) -> {
              inFlight.release();
              if (e != null) failures.add(e.toString());
              else if (r.statusCode() == 401) answered.incrementAndGet();
              else failures.add("status " + r.statusCode());
            }));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(150, TimeUnit.SECONDS);
      assertEquals(List.of(), failures.subList(0, Math.min(3, failures.size())),
          "requests failed while nobody read standard error, after " + answered.get() + " answered");
      assertEquals(requests, answered.get());

      // its output is read again: the next line logged is preceded by the count of those dropped
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread reader = new Thread(() -> copy(serve.getErrorStream(), err), "stderr-reader");
      reader.setDaemon(true);
      reader.start();
      JsonObject warning = null;
      for (int i = 0; i < 100 && warning == null; i++) {
        http.send(HttpRequest.newBuilder(targets).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
        Thread.sleep(100);
        warning = dropped(text(err));
      }
      JsonObject found = warning;
      assertTrue(found != null, () -> "no warning about dropped lines in: " + tail(text(err)));
      assertEquals("WARN", found.getString("level"), found.encode());
      long count = Long.parseLong(found.getString("formattedMessage").split(" ", 2)[0]);
      assertTrue(count > 0, found.encode()); // access lines and audit lines (a refused token is audited)
      // every line of standard error is JSON (the format applies to the appender behind the queue)
      String read = text(err);
      String complete = read.substring(0, read.lastIndexOf('\n') + 1);
      for (String line : complete.split("\n")) {
        if (!line.isBlank()) assertTrue(line.startsWith("{") && new JsonObject(line) != null, line);
      }
    } finally {
      serve.destroy();
      serve.waitFor(30, TimeUnit.SECONDS);
      serve.destroyForcibly();
    }
  }

  private static void awaitHealthy(HttpClient http, URI healthz, Process serve) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end && serve.isAlive()) {
      try {
        if (http.send(HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the gateway did not come up (alive: " + serve.isAlive() + ")");
  }

  private static JsonObject dropped(String stderr) {
    for (String line : stderr.split("\n")) {
      if (line.contains("log line(s) dropped")) return new JsonObject(line);
    }
    return null;
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] b = new byte[65536];
    try {
      for (int n; (n = in.read(b)) >= 0; ) {
        synchronized (out) {
          out.write(b, 0, n);
        }
      }
    } catch (java.io.IOException e) {
      // the process ended
    }
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static String tail(String s) {
    return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
  }
}
