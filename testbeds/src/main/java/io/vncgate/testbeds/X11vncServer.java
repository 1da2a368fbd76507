package io.vncgate.testbeds;

import io.vncgate.testbeds.impl.Displays;
import io.vncgate.testbeds.impl.Launcher;
import io.vncgate.testbeds.impl.ProcessReaper;
import io.vncgate.testbeds.impl.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code x11vnc} (libvncserver) serving an {@code Xvfb} display, on a free display and a free
 * loopback port. {@code start()} returns once a full RFB handshake has succeeded.
 */
public final class X11vncServer extends LocalVncServer {


  private X11vncServer(Launched launched) {
    super(launched);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fails with an install hint when x11vnc or Xvfb is missing. */
  public static void require() {
    Tools.require("x11vnc");
    Tools.require("Xvfb");
  }

  public static final class Builder extends LocalVncServer.Builder<Builder, X11vncServer> {


    private Builder() {
    }





    @Override
    String name() {
      return "x11vnc";
    }

    @Override
    void requireTools() {
      require();
    }

    @Override
    void writeRfbAuth(String password, Path file) {
      Tools.check(Map.of(), null, LocalVncServer.TOOL_TIMEOUT,
          List.of("x11vnc", "-storepasswd", password, file.toString()));
    }

    /** Xvfb, then x11vnc on it; null when another process had the display or the port. */
    @Override
    X11vncServer tryStart(Path dir, Path rfbauth) {
      int display = Displays.pickFree();
      Path xvfbLog = dir.resolve("Xvfb-" + display + ".log");
      Path xvfbReady = dir.resolve("Xvfb-" + display + ".ready");
      // -displayfd 1: Xvfb prints the display number on stdout once it accepts clients
      Process xvfb = Launcher.start(List.of("Xvfb", ":" + display,
          "-screen", "0", width + "x" + height + "x24", "-nolisten", "tcp", "-displayfd", "1"),
          xvfbReady, xvfbLog, Map.of());
      Process x11vnc = null;
      try {
        if (Launcher.awaitLog(xvfb, xvfbReady, display + "\n", xvfbLog, timeout)
            == Launcher.Outcome.CLASHED) {
          ProcessReaper.stop(xvfb, 1_000);
          return null;
        }
        int port = portToUse();
        Path log = dir.resolve("x11vnc-" + display + ".log");
        x11vnc = Launcher.start(command(display, port, rfbauth), log, Map.of());
        if (Launcher.awaitLog(x11vnc, log, "PORT=" + port, timeout) == Launcher.Outcome.CLASHED) {
          ProcessReaper.stop(x11vnc, 1_000);
          ProcessReaper.stop(xvfb, 3_000);
          return null;
        }
        Launcher.awaitRfb(port, password, width, height, timeout, x11vnc, log);
        return new X11vncServer(new Launched(display, port, width, height, password, dir,
            // x11vnc sometimes ignores SIGTERM for seconds and leaves no files behind
            List.of(new Child(xvfb, 3_000), new Child(x11vnc, 300)), List.of(xvfbLog, log)));
      } catch (RuntimeException e) {
        if (x11vnc != null) {
          ProcessReaper.stop(x11vnc, 300);
        }
        ProcessReaper.stop(xvfb, 3_000);
        throw e;
      }
    }

    private List<String> command(int display, int port, Path rfbauth) {
      List<String> command = new ArrayList<>(List.of(
          "x11vnc", "-display", ":" + display,
          "-rfbport", String.valueOf(port),
          "-localhost", "-shared", "-forever", "-noxdamage", "-quiet"));
      if (rfbauth == null) {
        command.add("-nopw");
      } else {
        command.addAll(List.of("-rfbauth", rfbauth.toString()));
      }
      command.addAll(extraArgs);
      return command;
    }
  }
}
