package io.vncgate.testbeds.bench;

import io.vncgate.testbeds.XvncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The fan-out benchmark's real upstream: a TigerVNC Xvnc (security None, 1024×768, depth 24)
 * whose screen keeps changing as a teacher's terminal does, and which shows each key press:
 * <ul>
 *   <li>a "build log": an xterm of 120×40 characters (fewer on a small screen) at 200,120 scrolling a line of text
 *       {@code linesPerSecond} times a second (bash printf, then sleep);</li>
 *   <li>the input probe: an xterm of 24×6 characters at 0,0 whose background turns red, then
 *       blue, then red… on every key it gets (bash reading the raw tty one byte at a time and
 *       clearing the screen in the new colour), text cursor hidden.</li>
 * </ul>
 * No window manager: keys go to the window under the pointer, so the controller first puts the
 * pointer on the probe at {@link #POINTER_X}, {@link #POINTER_Y}.
 */
final class BusyXvnc implements AutoCloseable {
  /** A pixel inside the probe xterm, away from the pointer: its colour flips on every key. */
  static final int PROBE_X = 60;
  static final int PROBE_Y = 40;
  /** Where the controller puts the pointer so that keys reach the probe (inside it, clear of the probe pixel). */
  static final int POINTER_X = 135;
  static final int POINTER_Y = 72;
  /** xterm's ANSI red (41) and blue (44) backgrounds, {@code #cd0000} and {@code #0000ee}, as 0x00RRGGBB. */
  static final int RED = 0x00CD0000;
  static final int BLUE = 0x000000EE;

  private static final String PROBE_SCRIPT = "stty raw -echo; i=0; printf '\\033[?25l\\033[44m\\033[2J';"
      + " while IFS= read -rsn1 k; do i=$((1-i));"
      + " if [ $i = 1 ]; then printf '\\033[41m\\033[2J'; else printf '\\033[44m\\033[2J'; fi; done";

  private final XvncServer xvnc;
  private final long pid;
  private final double linesPerSecond;
  private final Path lineCount;

  private BusyXvnc(XvncServer xvnc, long pid, double linesPerSecond, Path lineCount) {
    this.xvnc = xvnc;
    this.pid = pid;
    this.linesPerSecond = linesPerSecond;
    this.lineCount = lineCount;
  }

  /** @param dir where the build log's line count is kept (the shell writes it after every line) */
  static BusyXvnc start(int width, int height, double linesPerSecond, Path dir) {
    return start(width, height, linesPerSecond, dir, true);
  }

  /**
   * @param blacklist TigerVNC's source-address blacklist as shipped (true), or off: with every
   *     viewer on 127.0.0.1, five connections that end before authenticating (a relay's or the
   *     gateway's, between phases) would get all the next ones refused for a while
   */
  static BusyXvnc start(int width, int height, double linesPerSecond, Path dir, boolean blacklist) {
    XvncServer.require();
    XvncServer xvnc = XvncServer.builder().geometry(width, height).desktopName("fan-out").blacklist(blacklist)
        .timeout(Duration.ofSeconds(20)).start();
    try {
      // by its arguments: the executable may be a link's target (Debian: Xvnc -> Xtigervnc)
      long pid = ProcessHandle.allProcesses()
          .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).containsAll(
              List.of(xvnc.displayName(), "-rfbport", String.valueOf(xvnc.port())))).orElse(false))
          .mapToLong(ProcessHandle::pid).findFirst()
          .orElseThrow(() -> new IllegalStateException("cannot find the process of Xvnc " + xvnc.displayName()));
      xvnc.runOnDisplay("xterm", "-geometry", "24x6+0+0", "-e", "bash", "-c", PROBE_SCRIPT);
      String busy = String.format(Locale.ROOT, "i=0; while :; do i=$((i+1));"
          + " printf '%%(%%H:%%M:%%S)T [%%6d] compiling module-%%02d/src/main/java/Component%%d.java ... ok (%%d ms)\\n'"
          + " -1 $i $((i%%37)) $i $((RANDOM%%500)); echo $i > '%s'; sleep %.3f; done", lineCount(dir), 1 / linesPerSecond);
      xvnc.runOnDisplay("xterm", "-geometry", columns(width) + "x" + rows(height) + "+200+120", "-e", "bash", "-c", busy);
      awaitWindows(xvnc, 2);
      return new BusyXvnc(xvnc, pid, linesPerSecond, lineCount(dir));
    } catch (RuntimeException e) {
      xvnc.close();
      throw e;
    }
  }

  /** Waits (10 s at most) until {@code n} xterm windows are mapped. */
  private static void awaitWindows(XvncServer xvnc, int n) {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String found = "";
    while (System.nanoTime() < end) {
      try {
        found = xvnc.xdotool("search", "--onlyvisible", "--class", "xterm").trim();
        if (found.split("\\s+").length >= n) return;
      } catch (RuntimeException notYet) {
        // xdotool exits 1 while nothing matches
      }
      RelayProcess.sleep(100);
    }
    throw new IllegalStateException("the xterms did not appear on Xvnc " + xvnc.displayName() + " (found: " + found
        + "); is xterm installed?");
  }

  /** The build log's width in characters of xterm's 6x13 font: 120, or what fits right of x 200. */
  private static int columns(int width) {
    return Math.max(20, Math.min(120, (width - 210) / 6));
  }

  private static int rows(int height) {
    return Math.max(5, Math.min(40, (height - 130) / 13));
  }

  private static Path lineCount(Path dir) {
    return dir.toAbsolutePath().resolve("xvnc-lines.count");
  }

  /** Lines the build log has printed so far (what changed the screen). */
  long lines() {
    for (int attempt = 0; attempt < 100; attempt++) {
      String s = Proc.read(lineCount);
      try {
        if (s != null && !s.isBlank()) return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        // read while the shell rewrote it: again
      }
      RelayProcess.sleep(2); // the shell truncates the file, then writes the number
    }
    throw new IllegalStateException("cannot read the build log's line count in " + lineCount);
  }

  int port() {
    return xvnc.port();
  }

  /** The X display, {@code :N}, for more X clients (the desktop scenario's painter). */
  String display() {
    return xvnc.displayName();
  }

  /** Xvnc's process (X server and VNC server in one), for its CPU time. */
  long pid() {
    return pid;
  }

  String describe() {
    return String.format(Locale.ROOT, "TigerVNC Xvnc %dx%d depth 24, security None; an xterm of %dx%d characters"
        + " scrolling a build log at %.0f lines a second; a key recolours a 24x6-character xterm at 0,0 (red, blue, ...)",
        xvnc.width(), xvnc.height(), columns(xvnc.width()), rows(xvnc.height()), linesPerSecond);
  }

  @Override
  public void close() {
    xvnc.close();
  }
}
