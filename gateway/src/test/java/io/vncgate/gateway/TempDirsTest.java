package io.vncgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed gateway left in the temp folder is removed by the next one; nothing else is. */
class TempDirsTest {
  @TempDir Path tmp;

  @Test
  void foldersOfProcessesThatAreGoneAreRemovedAndNothingElse() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    assertTrue(finished.waitFor(10, TimeUnit.SECONDS));
    long dead = finished.pid();
    long alive = ProcessHandle.current().pid();
    Path stale = Files.createDirectories(tmp.resolve("vncgate-x-" + dead + "-123/001-ssh/lib"));
    Files.writeString(stale.resolve("a.jar"), "x");
    Path ours = Files.createDirectory(tmp.resolve("vncgate-x-" + alive + "-456"));
    Path notOurs = Files.createDirectory(tmp.resolve("vncgate-x-notapid-789"));
    Path otherPrefix = Files.createDirectory(tmp.resolve("vncgate-y-" + dead + "-1"));

    assertEquals(1, TempDirs.sweep(tmp, "vncgate-x-"));
    assertFalse(Files.exists(tmp.resolve("vncgate-x-" + dead + "-123")), "the dead process's folder is gone");
    assertTrue(Files.isDirectory(ours), "a running process's folder stays");
    assertTrue(Files.isDirectory(notOurs));
    assertTrue(Files.isDirectory(otherPrefix));
  }

  @Test
  void createdFoldersNameThisProcess() throws Exception {
    Path dir = TempDirs.create("vncgate-test-");
    try {
      assertTrue(dir.getFileName().toString().startsWith("vncgate-test-" + ProcessHandle.current().pid() + "-"), dir.toString());
      Files.writeString(dir.resolve("f"), "x");
    } finally {
      TempDirs.deleteTree(dir);
    }
    assertFalse(Files.exists(dir));
  }
}
