package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A modified viewer against a real TigerVNC Xvnc 1.12 through a real gateway (issue #12, items 1
 * and 3): messages whose framing the gateway and Xvnc would read differently must not carry input
 * or clipboard past the gateway. What reached the desktop is read back from X itself: the pointer
 * with {@code xdotool getmouselocation}, Caps Lock with {@code xset q}, the clipboard with
 * {@code xclip}.
 */
@Timeout(120)
class HostileViewerTest {
  private static final int EXTENDED_CLIPBOARD = 0xC0A1E5CE;
  private static final int EXTENDED_MOUSE_BUTTONS = -316;
  private static final int CAPS_LOCK = 0xFFE5;
  @TempDir static Path open;
  @TempDir static Path noClipboard;
  static XvncServer xvnc;
  static GatewayHarness gw;
  static GatewayHarness gwNoClipboard;

  @BeforeAll
  static void start() throws Exception {
    xvnc = XvncServer.builder().geometry(160, 100).start();
    String target = GatewayHarness.target("desk", xvnc.port(), null);
    gw = new GatewayHarness(open, target, null);
    gwNoClipboard = new GatewayHarness(noClipboard, target, "limits:\n  clipboard: {to-server: false}\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (gwNoClipboard != null) gwNoClipboard.close();
    if (xvnc != null) xvnc.close();
  }

  /**
   * Item 1: an observer enables the extended clipboard, then sends a "caps" ClientCutText whose
   * declared length covers its one format size and then a whole PointerEvent, two KeyEvents
   * (Caps Lock) and a ClientCutText. Xvnc's readExtendedClipboard reads only 4 + 4 bytes of caps
   * and parses the rest as messages; the gateway must not forward it.
   */
  @Test
  void anObserversCapsMessageCarriesNoInputToTheDesktop() throws Exception {
    xvnc.xdotool("mousemove", "100", "70");
    xvnc.setClipboard("the desktop's own clipboard");
    boolean capsBefore = xvnc.capsLockOn();
    JsonObject s = gw.session(gw.token("mallory", "**", Role.VIEW), "static/desk", "view");
    try (WebSocketTcpBridge bridge = gw.bridge(s.getString("ticket"));
         RfbTestClient observer = RfbTestClient.connect(bridge.host(), bridge.port())) {
      observer.readTimeout(Duration.ofSeconds(20));
      observer.handshakeNone();
      observer.send(msg(o -> { o.writeByte(2); o.writeByte(0); o.writeShort(2); o.writeInt(0); o.writeInt(EXTENDED_CLIPBOARD); }));
      byte[] tail = concat(
          msg(o -> { o.writeByte(5); o.writeByte(0); o.writeShort(13); o.writeShort(17); }),
          key(true, CAPS_LOCK), key(false, CAPS_LOCK),
          cutText("injected by an observer"));
      observer.send(msg(o -> {
        o.writeByte(6);
        o.write(new byte[3]);
        o.writeInt(-(4 + 4 + tail.length));
        o.writeInt((1 << 24) | 1);          // caps, text
        o.writeInt(1 << 20);                // the one size
        o.write(tail);
      }));
      // a round trip: everything before it has been judged by the gateway and read by Xvnc
      observer.readFramebufferUpdateRaw(0, 0, 1, 1);
      Thread.sleep(300);

      assertEquals("x:100 y:70", xvnc.pointer(), "the observer's smuggled PointerEvent must not move the X pointer");
      assertEquals(capsBefore, xvnc.capsLockOn(), "the observer's smuggled KeyEvents must not toggle Caps Lock");
      assertNotEquals("injected by an observer", xvnc.clipboard(), "the observer's smuggled paste must not reach X");
      assertEquals("the desktop's own clipboard", xvnc.clipboard());
      assertTrue(counted(gw, "ClipboardCaps", "malformed") >= 1, "the drop is counted as malformed");
      assertFalse(observer.isClosedByPeer(Duration.ofMillis(200)), "dropping keeps the observer connected");
    } finally {
      if (xvnc.capsLockOn() != capsBefore) xvnc.xdotool("key", "Caps_Lock");
    }
  }

  /** A well-formed caps message from an observer still reaches Xvnc (the drop above is not a blanket one). */
  @Test
  void anObserversCanonicalCapsMessageStillPasses() throws Exception {
    JsonObject s = gw.session(gw.token("olivia", "**", Role.VIEW), "static/desk", "view");
    try (WebSocketTcpBridge bridge = gw.bridge(s.getString("ticket"));
         RfbTestClient observer = RfbTestClient.connect(bridge.host(), bridge.port())) {
      observer.readTimeout(Duration.ofSeconds(20));
      observer.handshakeNone();
      double before = counted(gw, "ClipboardCaps", "malformed");
      observer.send(msg(o -> { o.writeByte(2); o.writeByte(0); o.writeShort(2); o.writeInt(0); o.writeInt(EXTENDED_CLIPBOARD); }));
      observer.send(msg(o -> { o.writeByte(6); o.write(new byte[3]); o.writeInt(-8); o.writeInt((1 << 24) | 1); o.writeInt(1 << 20); }));
      observer.readFramebufferUpdateRaw(0, 0, 1, 1);
      assertEquals(before, counted(gw, "ClipboardCaps", "malformed"));
      assertFalse(observer.isClosedByPeer(Duration.ofMillis(300)), "Xvnc read it as the caps it is");
    }
  }

  /**
   * Item 3: a controller lists ExtendedMouseButtons (-316), which Xvnc 1.12 does not support, and
   * sends a PointerEvent with the marker bit and a seventh byte 0x06. Xvnc reads 6 bytes, then a
   * ClientCutText; a gateway reading 7 on the viewer's word would see a SetPixelFormat there and
   * let the paste through {@code clipboard.to-server: false}.
   */
  @Test
  void aControllerCannotSmugglePastClipboardToServerWithAnExtendedPointerEvent() throws Exception {
    xvnc.setClipboard("the desktop's own clipboard");
    JsonObject s = gwNoClipboard.session(gwNoClipboard.token("carol", "**", Role.CONTROL), "static/desk", "control");
    try (WebSocketTcpBridge bridge = gwNoClipboard.bridge(s.getString("ticket"));
         RfbTestClient controller = RfbTestClient.connect(bridge.host(), bridge.port())) {
      controller.readTimeout(Duration.ofSeconds(20));
      controller.handshakeNone();
      controller.send(msg(o -> { o.writeByte(2); o.writeByte(0); o.writeShort(2); o.writeInt(0); o.writeInt(EXTENDED_MOUSE_BUTTONS); }));
      byte[] text = "smuggled-text".getBytes(StandardCharsets.ISO_8859_1);
      controller.send(msg(o -> {
        o.writeByte(5); o.writeByte(0x80); o.writeShort(21); o.writeShort(23);
        o.writeByte(6);                                     // the "high bits" byte, or a ClientCutText
        o.write(new byte[3]); o.writeInt(text.length); o.write(text);
      }));
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < deadline) {
        assertNotEquals("smuggled-text", xvnc.clipboard(), "the paste must not reach X past clipboard.to-server: false");
        Thread.sleep(200);
      }
      controller.readFramebufferUpdateRaw(0, 0, 1, 1);
      assertNotEquals("smuggled-text", xvnc.clipboard());
      assertEquals("x:21 y:23", xvnc.pointer(), "the pointer event itself is the controller's and arrives, as 6 bytes");
      assertTrue(counted(gwNoClipboard, "ClientCutText", "policy") >= 1, "the gateway saw the ClientCutText Xvnc would read");
    }
  }

  // ---- helpers ----

  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] msg(Writer w) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    w.write(new DataOutputStream(b));
    return b.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) b.writeBytes(p);
    return b.toByteArray();
  }

  private static byte[] key(boolean down, int keysym) throws IOException {
    return msg(o -> { o.writeByte(4); o.writeByte(down ? 1 : 0); o.writeShort(0); o.writeInt(keysym); });
  }

  private static byte[] cutText(String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    return msg(o -> { o.writeByte(6); o.write(new byte[3]); o.writeInt(b.length); o.write(b); });
  }

  /** The value of {@code vncgate_dropped_messages_total{reason,type}}, 0 when absent. */
  static double counted(GatewayHarness g, String type, String reason) throws Exception {
    for (String line : g.get("/metrics", null).body().split("\n")) {
      if (line.startsWith("vncgate_dropped_messages_total{") && line.contains("type=\"" + type + "\"")
          && line.contains("reason=\"" + reason + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }
}
