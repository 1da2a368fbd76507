package io.vncgate.gateway;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporary folders that name the process owning them ({@code <prefix><pid>-<random>}), so that
 * what a killed gateway left behind (kill -9, a crash: no shutdown hook runs) is found and removed
 * by the next one. Blocking file work: call off the event loop.
 */
public final class TempDirs {
  private static final Logger log = LoggerFactory.getLogger(TempDirs.class);

  private TempDirs() {}

  /**
   * Removes the folders of this prefix whose process is gone, then creates one for this process.
   *
   * @param prefix e.g. {@code "vncgate-plugins-"}
   */
  public static Path create(String prefix) throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    sweep(tmp, prefix);
    return Files.createTempDirectory(tmp, prefix + ProcessHandle.current().pid() + "-");
  }

  /** Deletes {@code prefix<pid>-*} folders in {@code dir} whose process no longer runs; returns how many. */
  static int sweep(Path dir, String prefix) {
    Pattern owned = Pattern.compile(Pattern.quote(prefix) + "(\\d+)-.*");
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, prefix + "*")) {
      for (Path entry : entries) {
        Matcher m = owned.matcher(entry.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(entry)) continue;
        long pid;
        try {
          pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(pid).isPresent()) continue; // alive (or the pid was reused): leave it
        deleteTree(entry);
        removed++;
        log.info("removed {}, left behind by process {} which no longer runs", entry, pid);
      }
    } catch (IOException e) {
      log.debug("cannot look for stale folders in {}: {}", dir, e.toString());
    }
    return removed;
  }

  /** Deletes a folder and everything in it; what cannot be deleted is logged at debug and left. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      log.debug("could not delete {}: {}", root, e.getMessage());
    }
  }
}
