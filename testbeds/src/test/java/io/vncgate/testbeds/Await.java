package io.vncgate.testbeds;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling for tests: X changes reach the framebuffer and the selections asynchronously. */
final class Await {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Await() {
  }

  /** Reads full Raw updates until pixel (x, y) has colour {@code rgb}; fails after 10 s. */
  static void awaitColour(RfbTestClient client, int x, int y, int rgb) throws IOException {
    int seen = client.awaitColour(x, y, rgb, TIMEOUT);
    if (seen != rgb) {
      fail(String.format("pixel (%d,%d) is #%06x, expected #%06x", x, y, seen, rgb));
    }
  }

  /** The X server removed its lock file and socket, i.e. it exited cleanly. */
  static void assertNoXFiles(int display) {
    assertFalse(Files.exists(Path.of("/tmp/.X" + display + "-lock")), "lock file of :" + display);
    assertFalse(Files.exists(Path.of("/tmp/.X11-unix/X" + display)), "socket of :" + display);
  }

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for: " + what);
      }
      sleep();
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
