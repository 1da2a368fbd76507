package io.vncgate.testbeds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ScriptedRfbServer} after ServerInit: framing every client message, answering updates. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScriptedRfbServerSessionTest {

  private static final Duration SHORT = Duration.ofSeconds(3);

  @Test
  void updatesAreOneRawRectangleOfTheRequestedAreaInTheFillColour() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().desktop(100, 80, "desk")
        .fillColour(0x123456).start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      assertEquals("desk", client.handshakeNone().name());
      Framebuffer full = client.readFramebufferUpdateRaw();
      assertEquals(1, full.rectangles());
      assertEquals(0x123456, full.rgb(0, 0));
      assertEquals(0x123456, full.rgb(99, 79));

      server.fillColour(0xabcdef);
      Framebuffer part = client.readFramebufferUpdateRaw(10, 20, 5, 6);
      assertEquals(0xabcdef, part.rgb(14, 25));
      assertFalse(part.covered(15, 25));
      assertFalse(part.covered(0, 0));
    }
  }

  @Test
  void requestsBeyondTheDesktopAreClipped() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().desktop(20, 10, "d").start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      client.handshakeNone();
      Framebuffer fb = client.readFramebufferUpdateRaw(15, 5, 100, 100);
      assertTrue(fb.covered(19, 9));
      assertFalse(fb.covered(14, 9));
    }
  }

  @Test
  void updatesFollowTheClientsPixelFormat() throws Exception {
    PixelFormat rgb565BigEndian = new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0);
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().fillColour(0xff0000).start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      client.handshakeNone();
      client.sendSetPixelFormat(rgb565BigEndian);
      client.sendFramebufferUpdateRequest(false, 3, 4, 1, 1);
      DataInputStream update = new DataInputStream(new java.io.ByteArrayInputStream(client.readExactly(18)));
      assertEquals(0, update.readUnsignedByte(), "FramebufferUpdate");
      update.readUnsignedByte();
      assertEquals(1, update.readUnsignedShort(), "one rectangle");
      assertEquals(List.of(3, 4, 1, 1), List.of(update.readUnsignedShort(), update.readUnsignedShort(),
          update.readUnsignedShort(), update.readUnsignedShort()));
      assertEquals(0, update.readInt(), "Raw");
      assertEquals(0xF800, update.readUnsignedShort(), "pure red in big-endian RGB565");
    }
  }

  @Test
  void everyClientMessageIsFramedAndRecordedByteForByte() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      client.handshakeNone();
      ByteArrayOutputStream sent = new ByteArrayOutputStream();
      byte[][] messages = {
          setEncodings(0, -223, -308, 0xC0A1E5CE),
          {4, 1, 0, 0, 0, 0, (byte) 0xff, 0x0d},                      // KeyEvent Return down
          {5, 1, 0, 10, 0, 20},                                       // PointerEvent
          cutText("hello"),
          {(byte) 248, 0, 0, 0, (byte) 0x80, 0, 0, 3, 3, 9, 8, 7},     // Fence, 3 bytes of payload
          {(byte) 150, 1, 0, 0, 0, 0, 0, 64, 0, 48},                  // EnableContinuousUpdates
          {(byte) 250, 0, 1, 2},                                      // xvp reboot
          setDesktopSize(),
          {(byte) 255, 0, 0, 1, 0, 0, (byte) 0xff, 0x0d, 0, 0, 0, 28}, // QEMU extended key
      };
      for (byte[] m : messages) {
        client.send(m);
        sent.write(m);
      }
      Framebuffer fb = client.readFramebufferUpdateRaw(0, 0, 1, 1);
      assertEquals(0x336699, fb.rgb(0, 0), "still in sync after every message");

      ScriptedRfbServer.Connection connection = server.awaitConnections(1, SHORT).get(0);
      connection.awaitMessage(3, SHORT);
      assertEquals(List.of(2, 4, 5, 6, 248, 150, 250, 251, 255, 0, 2, 3), connection.messageTypes());
      byte[] recorded = connection.receivedAfterInit();
      byte[] expectedStart = sent.toByteArray();
      assertArrayEquals(expectedStart, java.util.Arrays.copyOf(recorded, expectedStart.length));
      assertArrayEquals(cutText("hello"), connection.awaitMessage(6, SHORT));
    }
  }

  @Test
  void anUnknownMessageTypeClosesTheConnection() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      client.handshakeNone();
      client.send(new byte[] {99, 0, 0, 0});
      assertTrue(client.isClosedByPeer(SHORT));
      assertTrue(server.connections().get(0).awaitClosed(SHORT));
    }
  }

  @Test
  void testsCanPushServerCutTextToTheClient() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      client.handshakeNone();
      server.awaitConnections(1, SHORT).get(0).sendServerCutText("from the server");
      assertEquals("from the server", client.readServerCutText());
    }
  }

  @Test
  void closeEndsEveryServerThread() throws Exception {
    ScriptedRfbServer server = ScriptedRfbServer.builder().stall().start();
    String prefix = "scripted-rfb-" + server.port() + "-";
    RfbTestClient a = RfbTestClient.connect(server.host(), server.port());
    RfbTestClient b = RfbTestClient.connect(server.host(), server.port());
    server.awaitConnections(2, SHORT);
    Await.await(() -> threadsNamed(prefix) == 3, "accept thread plus one per connection");
    server.close();
    assertEquals(0, threadsNamed(prefix));
    assertTrue(a.isClosedByPeer(SHORT));
    assertTrue(b.isClosedByPeer(SHORT));
    a.close();
    b.close();
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
        .count();
  }

  private static byte[] setEncodings(int... encodings) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(2);
    out.writeByte(0);
    out.writeShort(encodings.length);
    for (int e : encodings) {
      out.writeInt(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] cutText(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new byte[] {6, 0, 0, 0});
    out.writeInt(text.length());
    out.writeBytes(text);
    return bytes.toByteArray();
  }

  private static byte[] setDesktopSize() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new byte[] {(byte) 251, 0});
    out.writeShort(800);
    out.writeShort(600);
    out.write(new byte[] {1, 0});
    out.writeInt(0);            // screen id
    out.writeShort(0);
    out.writeShort(0);
    out.writeShort(800);
    out.writeShort(600);
    out.writeInt(0);            // flags
    return bytes.toByteArray();
  }
}
