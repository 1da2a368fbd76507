package io.vncgate.testbeds.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks X display numbers in {@value #FIRST}..{@value #LAST} that have neither a socket
 * ({@code /tmp/.X11-unix/X<n>}) nor a lock file ({@code /tmp/.X<n>-lock}), or only stale ones: a
 * lock whose process is gone (the X server replaces such files itself). The start is random so
 * that parallel builds on one machine rarely collide; the X server's own lock file settles a race,
 * and the launchers retry when they lose it.
 */
public final class Displays {

  static final int FIRST = 40;
  static final int LAST = 199;
  private static final Deque<Integer> RECENT = new ArrayDeque<>();

  private Displays() {
  }

  public static int pickFree() {
    int span = LAST - FIRST + 1;
    int start = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int display = FIRST + (start + i) % span;
      if (inUse(display)) {
        continue;
      }
      // an X server started with -displayfd leaves a stale lock in place and does not remove it
      // at exit either, so the display would look used after a clean stop
      clearStale(display);
      synchronized (RECENT) {
        if (RECENT.contains(display)) {
          continue;
        }
        RECENT.addLast(display);
        if (RECENT.size() > 32) {
          RECENT.removeFirst();
        }
      }
      return display;
    }
    throw new IllegalStateException("no free X display number in " + FIRST + ".." + LAST);
  }

  /** True when display {@code n} has a socket or lock file that is not provably stale. */
  public static boolean inUse(int display) {
    return inUse(Path.of("/tmp"), display);
  }

  static boolean inUse(Path tmp, int display) {
    Path lock = tmp.resolve(".X" + display + "-lock");
    Path socket = tmp.resolve(".X11-unix/X" + display);
    if (!Files.exists(lock)) {
      return Files.exists(socket);
    }
    return lockOwner(lock).map(pid -> ProcessHandle.of(pid).isPresent()).orElse(true);
  }

  /**
   * Deletes display {@code n}'s lock file and socket when the lock's owner is provably gone (a
   * killed X server leaves both behind); does nothing while the owner lives or cannot be read.
   */
  public static void clearStale(int display) {
    clearStale(Path.of("/tmp"), display);
  }

  static void clearStale(Path tmp, int display) {
    Path lock = tmp.resolve(".X" + display + "-lock");
    Optional<Long> owner = lockOwner(lock);
    if (owner.isEmpty() || ProcessHandle.of(owner.get()).isPresent()) return;
    try {
      Files.deleteIfExists(lock);
      Files.deleteIfExists(tmp.resolve(".X11-unix/X" + display));
    } catch (IOException e) {
      // another process may be clearing it too; the X server reports a real clash
    }
  }

  /** The pid in an X lock file (ASCII, space padded), if readable. */
  static Optional<Long> lockOwner(Path lock) {
    try {
      return Optional.of(Long.parseLong(Files.readString(lock).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
