package io.vncgate.providers.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.vncgate.providers.docker.engine.Engine;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Why a container's VNC connection ended, from the engine: removed, stopped (with its exit code),
 * killed for memory. The socket closes when the container's process dies, a moment before the
 * engine records it (and before a {@code docker rm -f} finishes), so a container that still looks
 * running, or exited, is looked at again a few times, {@link #PAUSE_MS} apart: the gateway waits
 * about a second in all.
 */
final class WhyEnded {
  static final long PAUSE_MS = 150;
  private static final int LOOKS = 4;

  private final Engine engine;
  private final Executor executor;

  WhyEnded(Engine engine, Executor executor) {
    this.engine = engine;
    this.executor = executor;
  }

  CompletableFuture<Optional<String>> of(String name) {
    return look(name, 1);
  }

  private CompletableFuture<Optional<String>> look(String name, int n) {
    Executor when = n == 1 ? executor : CompletableFuture.delayedExecutor(PAUSE_MS, TimeUnit.MILLISECONDS, executor);
    return CompletableFuture.supplyAsync(() -> engine.inspect(name), when).thenCompose(c -> {
      if (c.isEmpty()) return done("container " + name + " was removed");
      Optional<String> words = words(name, c.get());
      boolean last = n >= LOOKS;
      if (words.isPresent() && (last || !exited(c.get()))) return CompletableFuture.completedFuture(words);
      if (last) return CompletableFuture.completedFuture(Optional.empty()); // still running: not the container
      return look(name, n + 1); // not settled: it may be on its way out
    });
  }

  /** What the container's state says, or empty while it runs. */
  static Optional<String> words(String name, InspectContainerResponse c) {
    var state = c.getState();
    if (state == null) return Optional.empty();
    String status = state.getStatus() == null ? "" : state.getStatus();
    if (status.equals("removing")) return Optional.of("container " + name + " was removed");
    if (Boolean.TRUE.equals(state.getRunning()) && !Boolean.TRUE.equals(state.getRestarting())) return Optional.empty();
    Long code = state.getExitCodeLong();
    String exit = code == null ? "" : " (exit code " + code + ")";
    if (Boolean.TRUE.equals(state.getOOMKilled())) return Optional.of("container " + name + " ran out of memory and was killed" + exit);
    if (status.equals("restarting")) return Optional.of("container " + name + " is restarting" + exit);
    if (status.equals("exited") || status.equals("dead")) return Optional.of("container " + name + " stopped" + exit);
    return Optional.of("container " + name + " is " + (status.isEmpty() ? "not running" : status));
  }

  private static boolean exited(InspectContainerResponse c) {
    String status = c.getState() == null ? null : c.getState().getStatus();
    return "exited".equals(status) || "dead".equals(status);
  }

  private static CompletableFuture<Optional<String>> done(String words) {
    return CompletableFuture.completedFuture(Optional.of(words));
  }
}
