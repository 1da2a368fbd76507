package io.vncgate.testbeds.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisplaysTest {

  @TempDir
  Path tmp;

  @Test
  void displayWithoutFilesIsFree() {
    assertFalse(Displays.inUse(tmp, 42));
  }

  @Test
  void lockOfALiveProcessMeansInUse() throws Exception {
    Files.writeString(tmp.resolve(".X42-lock"), String.format("%10d\n", ProcessHandle.current().pid()));
    assertTrue(Displays.inUse(tmp, 42));
  }

  @Test
  void lockOfAGoneProcessIsStaleAndTheDisplayFree() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(tmp.resolve(".X42-lock"), String.format("%10d\n", gone.pid()));
    assertFalse(Displays.inUse(tmp, 42));
  }

  @Test
  void unreadableLockOrSocketAloneMeansInUse() throws Exception {
    Files.writeString(tmp.resolve(".X42-lock"), "garbage");
    assertTrue(Displays.inUse(tmp, 42));
    Files.createDirectories(tmp.resolve(".X11-unix"));
    Files.createFile(tmp.resolve(".X11-unix/X43"));
    assertTrue(Displays.inUse(tmp, 43));
  }

  @Test
  void aStaleLockAndSocketAreClearedButALiveOwnersAreKept(@TempDir Path tmp) throws Exception {
    Files.createDirectories(tmp.resolve(".X11-unix"));
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    Files.writeString(tmp.resolve(".X77-lock"), String.format("%10d\n", dead.pid()));
    Files.createFile(tmp.resolve(".X11-unix/X77"));
    Files.writeString(tmp.resolve(".X78-lock"), String.format("%10d\n", ProcessHandle.current().pid()));
    Displays.clearStale(tmp, 77);
    Displays.clearStale(tmp, 78);
    assertFalse(Files.exists(tmp.resolve(".X77-lock")), "a dead owner's lock");
    assertFalse(Files.exists(tmp.resolve(".X11-unix/X77")), "its socket");
    assertTrue(Files.exists(tmp.resolve(".X78-lock")), "a live owner's lock");
  }
}
