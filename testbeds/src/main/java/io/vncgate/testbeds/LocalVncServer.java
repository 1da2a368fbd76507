package io.vncgate.testbeds;

import io.vncgate.testbeds.impl.Displays;
import io.vncgate.testbeds.impl.Launcher;
import io.vncgate.testbeds.impl.ProcessReaper;
import io.vncgate.testbeds.impl.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real VNC server on its own X display, started by a subclass, with helpers that run X tools
 * against that display. Every helper has a timeout and fails with the tool's own error text.
 */
public abstract class LocalVncServer implements AutoCloseable {

  static final Duration TOOL_TIMEOUT = Duration.ofSeconds(10);

  /** What a subclass launched: the fields of every local server. */
  record Launched(int display, int port, int width, int height, String password, Path workDir,
                  List<Child> processes, List<Path> logs) {
  }

  /**
   * A launched process, stopped in reverse order on close, and how long it may take to exit on
   * SIGTERM before SIGKILL. X servers need the time to remove their lock file and socket.
   */
  record Child(Process process, long graceMillis) {
  }

  private final Launched launched;
  private final List<Process> helpers = new CopyOnWriteArrayList<>();
  private Process clipboardOwner;
  private Process primaryOwner;
  private boolean closed;

  LocalVncServer(Launched launched) {
    this.launched = launched;
  }

  /** Always {@code 127.0.0.1}: the servers listen on loopback only. */
  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return launched.port();
  }

  public int display() {
    return launched.display();
  }

  /** {@code ":N"}, the value of DISPLAY for X clients. */
  public String displayName() {
    return ":" + launched.display();
  }

  public int width() {
    return launched.width();
  }

  public int height() {
    return launched.height();
  }

  /** The VNC password, when the server requires VNC authentication. */
  public Optional<String> password() {
    return Optional.ofNullable(launched.password());
  }

  /** A file holding the plain password text (no newline), e.g. for a gateway password-file. */
  public Path passwordFile() {
    if (launched.password() == null) {
      throw new IllegalStateException("this server has no password");
    }
    return launched.workDir().resolve("password.txt");
  }

  /** The server's log files (deleted with its work folder on close: read them before). */
  public List<Path> logFiles() {
    return launched.logs();
  }

  /** The server's log lines that contain {@code text}, in log order (e.g. Xvnc's "blacklisted" lines). */
  public List<String> logLines(String text) {
    List<String> out = new ArrayList<>();
    for (Path log : logFiles()) {
      try (Stream<String> lines = Files.lines(log)) {
        lines.filter(l -> l.contains(text)).forEach(out::add);
      } catch (IOException e) {
        throw new TestbedException("cannot read the server log " + log + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** The last lines of the server logs, for failure messages. */
  public String logTail() {
    return String.join("\n", launched.logs().stream().map(Launcher::tail).toList());
  }

  /** Paints the root window: {@code xsetroot -solid colour} (e.g. "#ff8800", "red"). */
  public void setRootColor(String colour) {
    runTool("xsetroot", "-solid", colour);
  }

  /** The CLIPBOARD selection as text, or "" when nobody owns it. */
  public String clipboard() {
    return readSelection("clipboard");
  }

  /** The PRIMARY selection as text, or "" when nobody owns it. */
  public String primary() {
    return readSelection("primary");
  }

  /**
   * Owns the CLIPBOARD selection with this text. An {@code xclip} process keeps serving it until
   * another owner (e.g. Xvnc on a client's cut text) takes over, or until close.
   */
  public synchronized void setClipboard(String text) {
    if (clipboardOwner != null) {
      ProcessReaper.stop(clipboardOwner, 1_000);
    }
    clipboardOwner = ownSelection("clipboard", text);
  }

  /** Like {@link #setClipboard} for the PRIMARY selection. */
  public synchronized void setPrimary(String text) {
    if (primaryOwner != null) {
      ProcessReaper.stop(primaryOwner, 1_000);
    }
    primaryOwner = ownSelection("primary", text);
  }

  /** Runs {@code xdotool args…} and returns its output, e.g. for "getmouselocation". */
  public String xdotool(String... args) {
    List<String> command = new ArrayList<>(List.of("xdotool"));
    command.addAll(List.of(args));
    return Tools.check(env(), null, TOOL_TIMEOUT, command);
  }

  /** Where the X pointer is, as xdotool says it: {@code "x:100 y:70"}. */
  public String pointer() {
    return xdotool("getmouselocation").replaceAll(" screen.*", "").trim();
  }

  /** Moves the X pointer to ({@code x}, {@code y}) with xdotool, as a local user would. */
  public void movePointer(int x, int y) {
    xdotool("mousemove", String.valueOf(x), String.valueOf(y));
  }

  /** Whether Caps Lock is on, read with {@code xset q} (x11-xserver-utils). */
  public boolean capsLockOn() {
    return runTool("xset", "q").replaceAll("\\s+", " ").contains("Caps Lock: on");
  }

  /** Starts any X client on this display; it is killed on close. */
  public Process runOnDisplay(String... command) {
    Tools.require(command[0]);
    try {
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().putAll(env());
      Process process = ProcessReaper.track(builder.start());
      helpers.add(process);
      return process;
    } catch (IOException e) {
      throw new TestbedException("cannot start " + command[0] + ": " + e.getMessage(), e);
    }
  }

  /** Environment for X clients of this display. */
  public Map<String, String> env() {
    return Map.of("DISPLAY", displayName());
  }

  private String runTool(String... command) {
    return Tools.check(env(), null, TOOL_TIMEOUT, List.of(command));
  }

  private String readSelection(String selection) {
    Tools.Result result = Tools.run(env(), null, TOOL_TIMEOUT,
        List.of("xclip", "-selection", selection, "-o"));
    if (result.exitCode() == 0) {
      return result.stdout();
    }
    if (result.stderr().contains("not available") || result.stderr().contains("no owner")) {
      return "";
    }
    throw new TestbedException("xclip -selection " + selection + " -o exited with "
        + result.exitCode() + ": " + result.stderr().strip());
  }

  private Process ownSelection(String selection, String text) {
    Tools.require("xclip");
    try {
      ProcessBuilder builder = new ProcessBuilder("xclip", "-selection", selection, "-i", "-quiet")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().putAll(env());
      Process owner = ProcessReaper.track(builder.start());
      try (var stdin = owner.getOutputStream()) {
        stdin.write(text.getBytes(StandardCharsets.UTF_8));
      }
      awaitSelection(selection, text, owner);
      return owner;
    } catch (IOException e) {
      throw new TestbedException("cannot run xclip: " + e.getMessage(), e);
    }
  }

  /** xclip owns the selection shortly after reading stdin; wait until a reader sees the text. */
  private void awaitSelection(String selection, String text, Process owner) {
    long deadline = System.nanoTime() + TOOL_TIMEOUT.toNanos();
    String seen = "";
    while (System.nanoTime() < deadline) {
      if (!owner.isAlive()) {
        throw new TestbedException("xclip exited with " + owner.exitValue()
            + " instead of owning the " + selection + " selection");
      }
      seen = readSelection(selection);
      if (seen.equals(text)) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestbedException("interrupted", e);
      }
    }
    throw new TestbedException(selection + " selection still reads '" + seen + "' after xclip");
  }

  /**
   * Crashes the server: SIGKILL to its processes (no chance to close connections in order, as in an
   * out-of-memory kill), then the clean-up of {@link #close()}, and its X lock file and socket, which
   * a killed X server leaves behind.
   */
  public synchronized void kill() {
    for (Child child : launched.processes()) {
      child.process().descendants().forEach(ProcessHandle::destroyForcibly);
      child.process().destroyForcibly();
    }
    for (Child child : launched.processes()) {
      try {
        child.process().waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
    Displays.clearStale(display());
  }

  /** Kills helpers, xclip owners and the server processes, and deletes the work directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Stream.concat(Stream.of(clipboardOwner, primaryOwner), helpers.stream())
        .filter(p -> p != null)
        .forEach(p -> ProcessReaper.stop(p, 1_000));
    List<Child> servers = new ArrayList<>(launched.processes());
    Collections.reverse(servers);
    servers.forEach(child -> ProcessReaper.stop(child.process(), child.graceMillis()));
    Launcher.deleteTree(launched.workDir());
  }

  /**
   * What the launchers' builders share: geometry, password, extra options, timeout, and the launch
   * itself — a private work folder, the password file, up to five tries on a fresh display and port.
   */
  public abstract static class Builder<B extends Builder<B, S>, S extends LocalVncServer> {
    private static final int ATTEMPTS = 5;

    int width = 1024;
    int height = 768;
    int port;
    String password;
    final List<String> extraArgs = new ArrayList<>();
    Duration timeout = Duration.ofSeconds(15);

    Builder() {
    }

    public B geometry(int width, int height) {
      this.width = width;
      this.height = height;
      return self();
    }

    /**
     * Listen on this loopback port instead of a free one picked at start (e.g. to restart a server
     * where a gateway's configuration expects it); a port already taken fails the start.
     */
    public B port(int port) {
      this.port = port;
      return self();
    }

    /** The fixed port, or a free one. */
    int portToUse() {
      return port > 0 ? port : FreePorts.next();
    }

    /** Require VNC authentication with this password (only the first 8 bytes count). */
    public B password(String password) {
      this.password = password;
      return self();
    }

    /** More options for the VNC server process, e.g. {@code "-viewonly"} or {@code "-MaxCutText", "64"}. */
    public B extraArgs(String... args) {
      extraArgs.addAll(List.of(args));
      return self();
    }

    /** How long to wait for each process to become ready (default 15 s). */
    public B timeout(Duration timeout) {
      this.timeout = timeout;
      return self();
    }

    public S start() {
      requireTools();
      Path dir = Launcher.workDir("vncgate-" + name().toLowerCase() + "-");
      try {
        Path rfbauth = null;
        if (password != null) {
          rfbauth = dir.resolve("passwd");
          writeRfbAuth(password, rfbauth);
          Launcher.writePrivate(dir.resolve("password.txt"), password.getBytes(StandardCharsets.UTF_8));
        }
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
          S server = tryStart(dir, rfbauth);
          if (server != null) {
            return server;
          }
        }
        throw new TestbedException(name() + ": display or port taken " + ATTEMPTS + " times in a row");
      } catch (RuntimeException e) {
        Launcher.deleteTree(dir);
        throw e;
      }
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** The program's name for messages and the work folder, e.g. {@code Xvnc}. */
    abstract String name();

    /** Fails naming the Debian package when a program is missing. */
    abstract void requireTools();

    /** Writes the server's own (obfuscated) password file. */
    abstract void writeRfbAuth(String password, Path file);

    /** One launch on a fresh display and port; null when another process had either. */
    abstract S tryStart(Path dir, Path rfbauth);
  }
}
