package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile target through a real gateway: it hides a ServerCutText where the viewer reads one but
 * a framer that disagrees with the viewer would not, and {@code clipboard.to-viewer: false} must
 * drop it. Issue #12, item 2: a FramebufferUpdate announcing 65535 rectangles is 65535 rectangles
 * to noVNC 1.7 and TigerVNC (a LastRect only ends it early); fuzzing findings A and B: a zero-area
 * zlib rectangle and a Tight palette of one colour.
 */
@Timeout(60)
class HostileTargetTest {
  private static final String SECRET = "smuggled past to-viewer false";
  @TempDir static Path dir;
  static ScriptedRfbServer server;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    server = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "hostile").start();
    gw = new GatewayHarness(dir, GatewayHarness.target("hostile", server.port(), null),
        "limits:\n  clipboard: {to-viewer: false}\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (server != null) server.close();
  }

  @Test
  void aServerCutTextAfter65535RectanglesIsJudgedAsOne() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/hostile"));
         RfbTestClient viewer = RfbTestClient.connect(bridge.host(), bridge.port())) {
      viewer.readTimeout(Duration.ofSeconds(20));
      viewer.handshakeNone();
      ScriptedRfbServer.Connection upstream = server.connections().get(server.connections().size() - 1);

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream o = new DataOutputStream(bytes);
      o.writeByte(0);
      o.writeByte(0);
      o.writeShort(0xFFFF);
      for (int i = 0; i < 0xFFFF; i++) {
        o.writeLong(0);               // x, y, w, h: an empty rectangle
        o.writeInt(0);                // Raw: no pixels
      }
      int update = bytes.size();
      // the text is built so that a framer still waiting for a LastRect reads its header as a
      // DesktopName rectangle (x 0x0300, w 0, h = the text's length) that carries the secret,
      // followed by a LastRect: it would forward all of it
      byte[] secret = SECRET.getBytes(StandardCharsets.ISO_8859_1);
      ByteArrayOutputStream textBytes = new ByteArrayOutputStream();
      DataOutputStream t = new DataOutputStream(textBytes);
      t.writeInt(-307);
      t.writeInt(secret.length);
      t.write(secret);
      t.writeLong(0);
      t.writeInt(-224);
      byte[] text = textBytes.toByteArray();
      o.writeByte(3);
      o.write(new byte[3]);
      o.writeInt(text.length);
      o.write(text);
      o.writeByte(2);                 // Bell: the stream goes on framed
      upstream.send(bytes.toByteArray());

      byte[] received = viewer.readUntilClosed(Duration.ofSeconds(3));
      assertFalse(new String(received, StandardCharsets.ISO_8859_1).contains(SECRET),
          "the ServerCutText after 65535 rectangles must not reach the viewer");
      assertEquals(update + 1, received.length, "the update and the Bell reach the viewer, nothing else");
      assertEquals(2, received[received.length - 1]);
      assertTrue(HostileViewerTest.counted(gw, "ServerCutText", "policy") >= 1, "dropped by policy and counted");
    }
  }

  /**
   * Fuzzing finding A through a real gateway: noVNC 1.7 reads no payload for a zlib rectangle of
   * zero area, so the ServerCutText right after it is a ServerCutText to the viewer; the old framer
   * read its first 4 bytes as the zlib length and passed the rest, secret included, unjudged. Viewers
   * disagree on empty rectangles, so the gateway now refuses it: the viewer's connection ends and
   * nothing after the rectangle's header reaches it.
   */
  @Test
  void anEmptyZlibRectangleEndsTheSessionBeforeTheServerCutTextAfterIt() throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/hostile"));
         RfbTestClient viewer = RfbTestClient.connect(bridge.host(), bridge.port())) {
      viewer.readTimeout(Duration.ofSeconds(20));
      viewer.handshakeNone();
      ScriptedRfbServer.Connection upstream = server.connections().get(server.connections().size() - 1);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream o = new DataOutputStream(bytes);
      o.writeByte(0);
      o.writeByte(0);
      o.writeShort(1);
      o.writeLong(0);                 // x, y, w 0, h 0
      o.writeInt(6);                  // zlib: noVNC reads nothing more
      int headers = bytes.size();
      byte[] secret = SECRET.getBytes(StandardCharsets.ISO_8859_1);
      o.writeByte(3);
      o.write(new byte[3]);
      o.writeInt(secret.length);
      o.write(secret);
      o.writeByte(2);
      upstream.send(bytes.toByteArray());

      byte[] received = viewer.readUntilClosed(Duration.ofSeconds(10));
      assertFalse(new String(received, StandardCharsets.ISO_8859_1).contains(SECRET),
          "the ServerCutText after the empty zlib rectangle must not reach the viewer");
      assertTrue(received.length <= headers, "at most the headers reach the viewer: " + received.length);
      assertTrue(viewer.isClosedByPeer(Duration.ofSeconds(1)), "the gateway ends the viewer's connection");
    }
  }

  /**
   * Fuzzing finding B through a real gateway: a Tight palette of one colour is 1 bit a pixel to both
   * viewers (8x2 pixels: 2 bytes, under 12, no length); the old framer took 8 bits a pixel, 16 bytes,
   * and read a compact length from the packed bits and the ServerCutText after them.
   */
  @Test
  void aServerCutTextAfterATightPaletteOfOneColourIsJudgedAsOne() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(bytes);
    o.writeByte(0);
    o.writeByte(0);
    o.writeShort(1);
    o.writeShort(0);
    o.writeShort(0);
    o.writeShort(8);
    o.writeShort(2);
    o.writeInt(7);                    // Tight
    o.writeByte(0x40);                // basic, explicit filter
    o.writeByte(1);                   // palette
    o.writeByte(0);                   // of 1 colour
    o.write(new byte[] {0x11, 0x22, 0x33}); // the colour (3 bytes at 32 bpp depth 24)
    o.write(new byte[] {(byte) 0xaa, (byte) 0xbb}); // 8x2 pixels at 1 bit
    assertOnlyUpdateAndBellArrive(bytes.toByteArray());
  }

  /** Sends {@code update}, a ServerCutText with the secret and a Bell; only the update and the Bell may arrive. */
  private static void assertOnlyUpdateAndBellArrive(byte[] update) throws Exception {
    try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("static/hostile"));
         RfbTestClient viewer = RfbTestClient.connect(bridge.host(), bridge.port())) {
      viewer.readTimeout(Duration.ofSeconds(20));
      viewer.handshakeNone();
      ScriptedRfbServer.Connection upstream = server.connections().get(server.connections().size() - 1);
      double before = HostileViewerTest.counted(gw, "ServerCutText", "policy");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream o = new DataOutputStream(bytes);
      o.write(update);
      byte[] secret = SECRET.getBytes(StandardCharsets.ISO_8859_1);
      o.writeByte(3);
      o.write(new byte[3]);
      o.writeInt(secret.length);
      o.write(secret);
      o.writeByte(2);                 // Bell: the stream goes on framed
      upstream.send(bytes.toByteArray());

      byte[] received = viewer.readUntilClosed(Duration.ofSeconds(3));
      assertFalse(new String(received, StandardCharsets.ISO_8859_1).contains(SECRET),
          "the ServerCutText after the rectangle must not reach the viewer");
      assertEquals(update.length + 1, received.length, "the update and the Bell reach the viewer, nothing else");
      assertEquals(2, received[received.length - 1]);
      assertTrue(HostileViewerTest.counted(gw, "ServerCutText", "policy") >= before + 1, "dropped by policy and counted");
    }
  }
}
