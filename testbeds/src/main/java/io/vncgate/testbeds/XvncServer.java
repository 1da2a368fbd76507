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
 * TigerVNC {@code Xvnc} (1.12) on a free display and a free loopback port: an X server and a VNC
 * server in one process. {@code start()} returns once a full RFB handshake has succeeded.
 *
 * <p>TigerVNC blacklists 127.0.0.1 after 5 connections that end before authenticating (a bare
 * connect-and-close counts), for 10 s and longer after that; then it answers
 * "Too many security failures". Use {@link Builder#blacklist(boolean) blacklist(false)} in tests
 * that fail on purpose often.
 */
public final class XvncServer extends LocalVncServer {


  private XvncServer(Launched launched) {
    super(launched);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fails with "Xvnc not found: install tigervnc-standalone-server (see .ci/install-deps)". */
  public static void require() {
    Tools.require("Xvnc");
  }

  public static final class Builder extends LocalVncServer.Builder<Builder, XvncServer> {

    private String desktopName = "vncgate-test";
    private boolean blacklist = true;

    private Builder() {
    }



    /** Desktop name sent in ServerInit ({@code -desktop}). */
    public Builder desktopName(String name) {
      this.desktopName = name;
      return this;
    }

    /** TigerVNC's source-address blacklist ({@code -UseBlacklist}); on by default, as shipped. */
    public Builder blacklist(boolean enabled) {
      this.blacklist = enabled;
      return this;
    }



    @Override
    String name() {
      return "Xvnc";
    }

    @Override
    void requireTools() {
      require();
    }

    @Override
    void writeRfbAuth(String password, Path file) {
      VncPasswd.write(password + "\n", file);
    }

    @Override
    XvncServer tryStart(Path dir, Path rfbauth) {
      int display = Displays.pickFree();
      int port = portToUse();
      Path log = dir.resolve("Xvnc-" + display + ".log");
      Process process = Launcher.start(command(display, port, rfbauth), log, Map.of());
      try {
        if (Launcher.awaitLog(process, log, "Listening for VNC connections", timeout)
            == Launcher.Outcome.CLASHED) {
          ProcessReaper.stop(process, 1_000);
          return null;
        }
        Launcher.awaitRfb(port, password, width, height, timeout, process, log);
      } catch (RuntimeException e) {
        ProcessReaper.stop(process, 3_000);
        throw e;
      }
      return new XvncServer(new Launched(display, port, width, height, password, dir,
          List.of(new Child(process, 3_000)), List.of(log)));
    }

    private List<String> command(int display, int port, Path rfbauth) {
      List<String> command = new ArrayList<>(List.of(
          "Xvnc", ":" + display,
          "-rfbport", String.valueOf(port),
          "-interface", "127.0.0.1",
          "-nolisten", "tcp",
          "-geometry", width + "x" + height,
          "-depth", "24",
          "-desktop", desktopName,
          "-AlwaysShared"));
      if (rfbauth == null) {
        command.addAll(List.of("-SecurityTypes", "None"));
      } else {
        command.addAll(List.of("-SecurityTypes", "VncAuth", "-rfbauth", rfbauth.toString()));
      }
      if (!blacklist) {
        command.add("-UseBlacklist=0");
      }
      command.addAll(extraArgs);
      return command;
    }
  }
}
