package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scenario other than the relay run (a small class start) asked to publish while a process that
 * is not the run's own burns a CPU, with a noise limit of one millionth of the CPUs: the run is
 * genuinely noisy, so it writes nothing where it was to publish, keeps its JSON and summary under
 * WORK/unpublished marked noisy, says why, and ends with exit status 3.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // a hang guard, not a performance limit
class NoisyRunTest {
  @TempDir
  Path dir;

  @Test
  void aNoisyClassStartAskedToPublishIsKeptUnpublishedWithExitStatus3() throws Exception {
    Path published = dir.resolve("published"); // stands for docs/performance/
    Path work = dir.resolve("work");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long burner = startOtherBurner();
    int status;
    try {
      assertFalse(Proc.tree(ProcessHandle.current().pid()).contains(burner), "the burner must not count as the run's own");
      status = Bench.exitStatus(new String[] {"--scenario", "class-start", "--smoke", "--viewers", "2", "--connects", "1",
          "--paths", "direct", "--noise-limit", "0.000001", "--publish", "--work", work.toString(),
          "--json", published.resolve("class-start.json").toString(), "--plots", published.toString()},
          new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    } finally {
      stop(burner);
    }
    String printed = console.toString(StandardCharsets.UTF_8);
    assertEquals(3, status, printed + err.toString(StandardCharsets.UTF_8));
    assertFalse(Files.exists(published.resolve("class-start.json")), "a noisy run publishes no JSON");
    assertFalse(Files.exists(published.resolve("class-start.md")), "a noisy run publishes no summary");
    assertTrue(printed.contains("NOT PUBLISHED: the run was noisy (other processes took"), printed);
    assertTrue(printed.contains("(more than 0.00010 %)"), printed);

    JsonObject json = new JsonObject(Files.readString(work.resolve("unpublished").resolve("class-start.json")));
    assertTrue(json.getBoolean("noisy"), json.encode());
    JsonObject noise = json.getJsonObject("noise");
    assertTrue(noise.getBoolean("noisy"));
    assertEquals(0.000001, noise.getDouble("limit_share"));
    assertTrue(noise.getDouble("other_processes_cpu_share") > 0.000001, noise.encode());
    assertTrue(noise.getJsonArray("reasons").getString(0).startsWith("other processes took"), noise.encode());
    String summary = Files.readString(work.resolve("unpublished").resolve("plots").resolve("class-start.md"));
    assertTrue(summary.startsWith("**NOISY RUN** (not figures to publish): other processes took"), summary);
    assertTrue(summary.contains("NOISY: other processes took"), summary);
  }

  /** Ends the burner: {@code timeout} and the loop under it (killing {@code timeout} alone would leave the loop). */
  private static void stop(long burner) throws Exception {
    ProcessHandle h = ProcessHandle.of(burner).orElse(null);
    if (h == null) return;
    List<ProcessHandle> loop = h.descendants().toList();
    loop.forEach(ProcessHandle::destroyForcibly);
    h.destroyForcibly();
    for (ProcessHandle p : loop) p.onExit().get(10, TimeUnit.SECONDS);
    assertTrue(loop.stream().noneMatch(ProcessHandle::isAlive), "the burner is still running: " + loop);
  }

  /**
   * A shell loop burning a CPU for at most 60 s, started through a shell that exits at once: it is
   * then the child of init (or a subreaper above this JVM), not of this JVM, so the run does not
   * count it as its own. Returns its pid.
   */
  private static long startOtherBurner() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "timeout 60 sh -c 'while :; do :; done' >/dev/null 2>&1 & echo $!")
        .redirectErrorStream(true).start();
    String pid = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    return Long.parseLong(pid);
  }
}
