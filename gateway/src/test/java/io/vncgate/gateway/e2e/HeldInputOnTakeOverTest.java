package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.e2e.GatewayHarness.Joined;
import io.vncgate.testbeds.XvncServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A take-over in the middle of a chord or a drag, on a real Xvnc, watched by {@code xev} on its
 * root window: the keys and the mouse button the old controller held down are released on the
 * desktop by the gateway, with nobody sending anything, for a per-viewer target (each viewer its
 * own connection; X keeps a key down until some connection releases it) and a fan-out one (one
 * upstream, which stays open when the controller leaves).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeldInputOnTakeOverTest {
  private static final int SHIFT_L = 0xffe1;
  @TempDir static Path dir;
  static XvncServer xvnc;
  static GatewayHarness gw;
  final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(320, 240).start();
    gw = new GatewayHarness(dir, GatewayHarness.target("pv", xvnc.port(), null) + GatewayHarness.target("fan", xvnc.port(), null),
        "sessions:\n  sharing:\n    \"static/pv\": per-viewer\n    \"static/fan\": fan-out\n  fan-out-grace: 0s\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (xvnc != null) xvnc.close();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    open.clear();
  }

  private Joined join(String user, String target) throws Exception {
    return gw.join(user, Role.CONTROL, target, "control", open);
  }

  /** Shift and button 1 down at 40,50, until xev saw both arrive. */
  private static void holdShiftAndButton(Joined v, Xev xev) throws Exception {
    v.rfb().sendPointerEvent(0, 40, 50);
    v.rfb().sendKeyEvent(true, SHIFT_L);
    v.rfb().sendPointerEvent(1, 40, 50);
    xev.await("+Shift_L", "+button1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"static/pv", "static/fan"})
  void takingControlReleasesWhatTheOldControllerHeldDown(String target) throws Exception {
    Joined alice = join("alice", target);
    Joined bob = join("bob", target);
    try (Xev xev = new Xev()) {
      holdShiftAndButton(alice, xev);
      assertEquals(200, gw.post("/api/v1/sessions/" + bob.session() + "/control", bob.token(),
          new JsonObject().put("viewer", bob.viewer()).encode()).statusCode());
      xev.await("-Shift_L", "-button1");
      // alice's own key-up, as an observer now, is dropped: nothing more reaches the desktop
      alice.rfb().sendKeyEvent(false, SHIFT_L);
      alice.rfb().sendPointerEvent(0, 40, 50);
      Thread.sleep(500);
      assertEquals(List.of("+Shift_L", "+button1", "-Shift_L", "-button1"), xev.events());
    }
  }

  @Test
  void givingControlBackReleasesToo() throws Exception {
    Joined alice = join("alice", "static/pv");
    try (Xev xev = new Xev()) {
      holdShiftAndButton(alice, xev);
      assertEquals(200, gw.post("/api/v1/sessions/" + alice.session() + "/release", alice.token(),
          new JsonObject().put("viewer", alice.viewer()).encode()).statusCode());
      xev.await("-Shift_L", "-button1");
    }
  }

  @Test
  void aFanOutControllerThatLeavesHoldingShiftDoesNotLeaveItDownForTheOthers() throws Exception {
    Joined alice = join("alice", "static/fan");
    Joined bob = join("bob", "static/fan"); // keeps the session's upstream open
    try (Xev xev = new Xev()) {
      holdShiftAndButton(alice, xev);
      alice.rfb().close();
      xev.await("-Shift_L", "-button1");
      bob.rfb().readFramebufferUpdateRaw(0, 0, 1, 1); // bob is still served
    }
  }

  /** {@code xev -root} on Xvnc's display: "+Shift_L", "-Shift_L", "+button1", "-button1" as X clients see them. */
  static final class Xev implements AutoCloseable {
    private static final Pattern EVENT = Pattern.compile(
        "(KeyPress|KeyRelease) event.*?\\(keysym 0x[0-9a-f]+, ([^)]+)\\)|(ButtonPress|ButtonRelease) event.*?button (\\d+)",
        Pattern.DOTALL);
    private final Process process;
    private final Path out;

    Xev() throws IOException, InterruptedException {
      out = Files.createTempFile(dir, "xev", ".txt");
      ProcessBuilder pb = new ProcessBuilder("stdbuf", "-oL", "xev", "-root", "-event", "keyboard", "-event", "mouse")
          .redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().putAll(xvnc.env());
      process = pb.start();
      Thread.sleep(700); // xev selects its events on the root window
      if (!process.isAlive()) throw new AssertionError("xev ended: " + Files.readString(out));
    }

    List<String> events() throws IOException {
      List<String> all = new ArrayList<>();
      Matcher m = EVENT.matcher(Files.readString(out));
      while (m.find()) {
        if (m.group(1) != null) all.add((m.group(1).equals("KeyPress") ? "+" : "-") + m.group(2));
        else all.add((m.group(3).equals("ButtonPress") ? "+" : "-") + "button" + m.group(4));
      }
      return all;
    }

    /** Waits up to 10 s until every one of {@code wanted} has been seen. */
    void await(String... wanted) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!events().containsAll(List.of(wanted))) {
        if (System.nanoTime() > deadline) throw new AssertionError("xev should have seen " + List.of(wanted) + ", saw " + events());
        Thread.sleep(50);
      }
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
