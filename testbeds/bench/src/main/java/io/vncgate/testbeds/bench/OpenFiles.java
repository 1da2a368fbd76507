package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Open files of the processes an idle viewer lives in (the bench's viewer end, the synthetic
 * server, the relay), read from /proc: how many idle viewers each fits under its open-file limit,
 * measured from the files a first batch of viewers added, not assumed.
 */
final class OpenFiles {
  /** Files kept free in every process: the viewers' handshakes in flight, the bench's HTTP pool, /metrics, jcmd. */
  static final int MARGIN = 128;

  /** One process: its soft limit, its open files before the viewers, and what each viewer added. */
  record Share(String process, long pid, long limit, long atRest, double perViewer) {
    /** The most idle viewers this process holds with {@link #MARGIN} files to spare. */
    long fits() {
      if (perViewer <= 0.5 || limit <= 0) return Long.MAX_VALUE; // a viewer costs it no file (or the limit is unknown)
      return (long) Math.floor((limit - atRest - MARGIN) / perViewer);
    }

    JsonObject json() {
      return new JsonObject().put("process", process).put("open_file_limit", limit).put("open_files_at_rest", atRest)
          .put("open_files_per_viewer", PathResult.round(perViewer, 2)).put("fits_viewers", fits() == Long.MAX_VALUE ? null : fits());
    }
  }

  private OpenFiles() {}

  /** File descriptors the process holds now, or -1 when /proc does not say. */
  static long count(long pid) {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The process's soft open-file limit, or -1 when unlimited or unreadable. */
  static long limit(long pid) {
    String text = Proc.read(Path.of("/proc", Long.toString(pid), "limits"));
    if (text == null) return -1;
    for (String line : text.split("\n")) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
      }
    }
    return -1;
  }

  /** The share of the process that fits the fewest viewers. */
  static Share tightest(List<Share> shares) {
    Share best = null;
    for (Share s : shares) {
      if (best == null || s.fits() < best.fits()) best = s;
    }
    return best;
  }
}
