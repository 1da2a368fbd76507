package io.vncgate.testbeds.qemu;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.testbeds.TestbedException;
import io.vncgate.testbeds.impl.Launcher;
import io.vncgate.testbeds.impl.ProcessReaper;
import io.vncgate.testbeds.impl.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real QEMU VNC server — the server inside Proxmox VE and KubeVirt VMs — on loopback: a VM with
 * nothing to boot ({@code qemu-system-x86_64 -accel tcg -display none -nodefaults -vga std -m 64
 * -boot reboot-timeout=-1}), so SeaBIOS draws its text screen (720×400) and stays there. VNC with
 * {@code password=on} (unless {@link Builder#password(boolean) password(false)}: security None, as in KubeVirt) and no password set until {@link #setPassword(String)} sets one through QMP,
 * as Proxmox does per console ticket; until then every VNC login fails.
 *
 * <p>The display is one QEMU picks itself in a random range of 100 ({@code -vnc
 * 127.0.0.1:N,to=N+99}), far above the X displays of the other launchers; the port is read back
 * with {@code query-vnc}. The process's output goes to {@link #logFile()}.
 *
 * <p>Desktop resize: std VGA has no QMP command to change mode; the guest changes it, and
 * SeaBIOS keeps 720×400 across a {@link #systemReset()}. A VM started
 * {@link Builder#paused(boolean) paused} shows 640×480 until {@link #cont()}, then SeaBIOS's mode:
 * clients that announced the DesktopSize pseudo-encoding get that resize.
 */
public final class QemuVncServer implements AutoCloseable {

  private static final String PROGRAM = "qemu-system-x86_64";
  private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final Path workDir;
  private final Path log;
  private final Path qmpSocket;
  private final QmpClient qmp;
  private final int port;
  private boolean closed;

  private QemuVncServer(Process process, Path workDir, Path log, Path qmpSocket, QmpClient qmp, int port) {
    this.process = process;
    this.workDir = workDir;
    this.log = log;
    this.qmpSocket = qmpSocket;
    this.qmp = qmp;
    this.port = port;
  }

  /** A QEMU with the defaults: TCG, 64 MiB, std VGA, started within 30 s. */
  public static QemuVncServer start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fails with "qemu-system-x86_64 not found: install qemu-system-x86 (see .ci/install-deps)". */
  public static void require() {
    Tools.require(PROGRAM);
  }

  /** Always {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  /** QEMU's VNC TCP port (5900 + display). */
  public int port() {
    return port;
  }

  /** The QMP unix socket. */
  public Path qmpSocket() {
    return qmpSocket;
  }

  /** The monitor, for any other QMP command. */
  public QmpClient qmp() {
    return qmp;
  }

  /**
   * {@code set_password} (protocol vnc), then {@code expire_password never}: the VNC auth password
   * from now on; QEMU uses its first 8 bytes. Connected clients stay connected. (QEMU keeps an
   * earlier expiry across {@code set_password}; hence the second command.)
   */
  public void setPassword(String password) {
    Objects.requireNonNull(password, "password");
    qmp.execute("set_password", new JsonObject().put("protocol", "vnc").put("password", password));
    expirePassword("never");
  }

  /**
   * {@code expire_password} (protocol vnc): {@code "now"}, {@code "never"}, {@code "+30"} (seconds
   * from now, what Proxmox sets) or an absolute UNIX time. After it, VNC logins fail.
   */
  public void expirePassword(String time) {
    qmp.execute("expire_password", new JsonObject().put("protocol", "vnc").put("time", time));
  }

  /** {@code query-vnc}: enabled, host, service (port), auth and the connected clients. */
  public JsonObject queryVnc() {
    return (JsonObject) qmp.execute("query-vnc", null);
  }

  /** How many VNC clients QEMU has connected now ({@code query-vnc}). */
  public int vncClients() {
    JsonArray clients = queryVnc().getJsonArray("clients");
    return clients == null ? 0 : clients.size();
  }

  /**
   * {@code send-key} with QEMU key names ({@code "ctrl"}, {@code "alt"}, {@code "delete"},
   * {@code "a"}): presses them together, then releases them.
   */
  public void sendKey(String... qcodes) {
    JsonArray keys = new JsonArray();
    for (String code : qcodes) {
      keys.add(new JsonObject().put("type", "qcode").put("data", code));
    }
    qmp.execute("send-key", new JsonObject().put("keys", keys));
  }

  /**
   * The keys waiting in the guest's BIOS keyboard buffer, oldest first, each as SeaBIOS stores it:
   * {@code scancode << 8 | ASCII} ({@code 0x1e61} for "a", {@code 0x011b} for Escape). Read
   * through the monitor ({@code human-monitor-command "xp"}) from the BIOS data area: the ring at
   * 0x41E..0x43D between the head (0x41A) and tail (0x41C) offsets.
   *
   * <p>A key lands there only after the whole path a user's key takes: QEMU's input layer (a VNC
   * client's KeyEvent or QEMU extended key event, or {@link #sendKey}), the emulated PS/2
   * keyboard, IRQ 1 and SeaBIOS's own keyboard handler. SeaBIOS with nothing to boot never reads
   * the buffer, so keys stay until it is full (15 keys; later ones are dropped with a beep).
   */
  public List<Integer> biosKeyboardBuffer() {
    int[] pointers = words(hmp("xp /2hx 0x41a"));
    int[] ring = words(hmp("xp /16hx 0x41e"));
    if (pointers.length != 2 || ring.length != 16) {
      throw new TestbedException("cannot read SeaBIOS's keyboard buffer: " + pointers.length + " and " + ring.length
          + " words from the monitor");
    }
    List<Integer> keys = new ArrayList<>();
    for (int at = pointers[0]; at != pointers[1]; at = at + 2 == 0x3e ? 0x1e : at + 2) {
      if (at < 0x1e || at > 0x3c || keys.size() > 16) {
        throw new TestbedException(String.format("SeaBIOS's keyboard buffer pointers are not the BIOS's: head 0x%x, tail 0x%x",
            pointers[0], pointers[1]));
      }
      keys.add(ring[(at - 0x1e) / 2]);
    }
    return keys;
  }

  private String hmp(String command) {
    return String.valueOf(qmp.execute("human-monitor-command", new JsonObject().put("command-line", command)));
  }

  /** The 16-bit values of {@code xp /Nhx} output ("000000000000041a: 0x001e 0x0024", one line per 8). */
  private static int[] words(String dump) {
    List<Integer> values = new ArrayList<>();
    for (String line : dump.split("\\R")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      for (String word : line.substring(colon + 1).trim().split("\\s+")) {
        if (word.startsWith("0x")) {
          values.add(Integer.parseInt(word.substring(2), 16));
        }
      }
    }
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The guest's screen size now, from a QMP {@code screendump} (a PPM file whose header holds
   * width and height): {@code [720, 400]} once SeaBIOS has set its text mode, {@code [640, 480]}
   * before.
   */
  public int[] screenSize() {
    return screenSize(qmp, workDir);
  }

  private static int[] screenSize(QmpClient qmp, Path dir) {
    Path file = dir.resolve("screen.ppm");
    qmp.execute("screendump", new JsonObject().put("filename", file.toString()));
    try {
      String[] header = new String(Files.readAllBytes(file), 0, 32, java.nio.charset.StandardCharsets.ISO_8859_1)
          .split("\\s+");
      return new int[] {Integer.parseInt(header[1]), Integer.parseInt(header[2])};
    } catch (IOException | RuntimeException e) {
      throw new TestbedException("cannot read QEMU's screendump " + file + ": " + e, e);
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover dump is deleted with the work directory
      }
    }
  }

  /** {@code cont}: resumes a VM started {@link Builder#paused(boolean) paused}. */
  public void cont() {
    qmp.execute("cont", null);
  }

  /** {@code system_reset}: the VM reboots; SeaBIOS sets up its screen again. */
  public void systemReset() {
    qmp.execute("system_reset", null);
  }

  /** stdout and stderr of QEMU. */
  public Path logFile() {
    return log;
  }

  /** The last 30 lines of QEMU's output. */
  public String logTail() {
    return Launcher.tail(log);
  }

  /** True until QEMU exits or is closed. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops QEMU (SIGTERM, then SIGKILL after 3 s), closes QMP, deletes the work directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    qmp.close();
    ProcessReaper.stop(process, 3_000);
    Launcher.deleteTree(workDir);
  }

  public static final class Builder {
    private int memoryMb = 64;
    private String accel = "tcg";
    private Duration timeout = Duration.ofSeconds(30);
    private final List<String> extraArgs = new ArrayList<>();
    private boolean awaitSeaBios = true;
    private boolean paused;
    private boolean audio;
    private boolean password = true;

    private Builder() {
    }

    /**
     * Whether VNC asks for a password ({@code password=on}, the default, as Proxmox runs it) or
     * offers security type None (KubeVirt: libvirt's VNC socket inside the virt-launcher pod has no
     * auth; the kube API's RBAC is the gate).
     */
    public Builder password(boolean password) {
      this.password = password;
      return this;
    }

    /**
     * Starts the VM paused ({@code -S}): QEMU's VNC serves its 640×480 "not initialized" screen
     * until {@link QemuVncServer#cont()}, when SeaBIOS sets its 720×400 text mode — a desktop resize
     * driven from outside. Implies {@code awaitSeaBios(false)}.
     */
    public Builder paused(boolean paused) {
      this.paused = paused;
      return this;
    }

    /**
     * Gives QEMU's VNC server an audio backend ({@code -audiodev none,id=vncaudio} and
     * {@code audiodev=vncaudio} on {@code -vnc}), so it answers the QEMU audio extension
     * (pseudo-encoding −259, client message 255/1) as a VM with sound does.
     */
    public Builder audio(boolean audio) {
      this.audio = audio;
      return this;
    }

    /**
     * Whether {@link #start()} waits until SeaBIOS has set its 720×400 text mode (default), so
     * every client's ServerInit has the same size; off for guests that boot something else.
     */
    public Builder awaitSeaBios(boolean await) {
      this.awaitSeaBios = await;
      return this;
    }

    /** Guest memory ({@code -m}); 64 MiB is enough for SeaBIOS. */
    public Builder memoryMb(int memoryMb) {
      this.memoryMb = memoryMb;
      return this;
    }

    /**
     * {@code -accel}: {@code tcg} (default; under {@code kvm} guests on this machine stalled, see
     * docs test-infra) or {@code kvm}.
     */
    public Builder accel(String accel) {
      this.accel = Objects.requireNonNull(accel, "accel");
      return this;
    }

    /** More QEMU arguments, e.g. {@code -device} lines or {@code -audiodev}. */
    public Builder extraArgs(String... args) {
      extraArgs.addAll(List.of(args));
      return this;
    }

    /** How long start-up may take (QMP up and VNC listening); default 30 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Starts QEMU and returns once QMP answers and VNC listens. */
    public QemuVncServer start() {
      require();
      Path dir = Launcher.workDir("vncgate-qemu-");
      Path log = dir.resolve("qemu.log");
      Path socket = dir.resolve("qmp.sock");
      int first = ThreadLocalRandom.current().nextInt(200, 900);
      Process process = Launcher.start(command(first, socket), log, Map.of());
      QmpClient qmp = null;
      try {
        qmp = awaitQmp(process, socket, log);
        JsonObject vnc = (JsonObject) qmp.execute("query-vnc", null);
        if (!Boolean.TRUE.equals(vnc.getBoolean("enabled"))) {
          throw new TestbedException("QEMU's VNC server is not enabled: " + vnc.encode() + "\n" + Launcher.tail(log));
        }
        int port = Integer.parseInt(vnc.getString("service"));
        if (awaitSeaBios && !paused) {
          awaitSeaBios(process, qmp, dir, log);
        }
        return new QemuVncServer(process, dir, log, socket, qmp, port);
      } catch (RuntimeException e) {
        if (qmp != null) {
          qmp.close();
        }
        ProcessReaper.stop(process, 3_000);
        Launcher.deleteTree(dir);
        throw e;
      }
    }

    private List<String> command(int firstDisplay, Path socket) {
      List<String> command = new ArrayList<>(List.of(
          PROGRAM,
          "-accel", accel,
          "-display", "none",
          "-nodefaults",
          "-vga", "std",
          "-m", String.valueOf(memoryMb),
          "-boot", "reboot-timeout=-1",
          "-name", "vncgate-test",
          "-vnc", "127.0.0.1:" + firstDisplay + ",to=" + (firstDisplay + 99) + (password ? ",password=on" : "")
              + (audio ? ",audiodev=vncaudio" : ""),
          "-qmp", "unix:" + socket + ",server=on,wait=off"));
      if (audio) {
        command.addAll(List.of("-audiodev", "none,id=vncaudio"));
      }
      if (paused) {
        command.add("-S");
      }
      command.addAll(extraArgs);
      return command;
    }

    private void awaitSeaBios(Process process, QmpClient qmp, Path dir, Path log) {
      long deadline = System.nanoTime() + timeout.toNanos();
      int[] size = screenSize(qmp, dir);
      while (size[0] != SeaBiosScreen.WIDTH || size[1] != SeaBiosScreen.HEIGHT) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new TestbedException("QEMU's screen is " + size[0] + "x" + size[1] + ", not SeaBIOS's "
              + SeaBiosScreen.WIDTH + "x" + SeaBiosScreen.HEIGHT + " after " + timeout + ":\n" + Launcher.tail(log));
        }
        sleep();
        size = screenSize(qmp, dir);
      }
    }

    private static void sleep() {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestbedException("interrupted while starting QEMU", e);
      }
    }

    private QmpClient awaitQmp(Process process, Path socket, Path log) {
      long deadline = System.nanoTime() + timeout.toNanos();
      IOException last = null;
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new TestbedException(PROGRAM + " exited with " + process.exitValue()
              + " before QMP was up:\n" + Launcher.tail(log));
        }
        if (Files.exists(socket)) {
          try {
            return QmpClient.connect(socket, QMP_TIMEOUT);
          } catch (IOException e) {
            last = e;
          }
        }
        sleep();
      }
      throw new TestbedException(PROGRAM + ": no QMP on " + socket + " within " + timeout
          + (last == null ? "" : " (last error: " + last + ")") + ":\n" + Launcher.tail(log));
    }
  }
}
