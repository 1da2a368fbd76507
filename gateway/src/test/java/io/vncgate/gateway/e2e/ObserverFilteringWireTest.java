package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ScriptedRfbServer;
import io.vncgate.testbeds.WebSocketTcpBridge;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw RFB client that ignores its observer role and sends every kind of input is filtered by
 * the gateway byte for byte: the server receives only the messages an observer may send.
 */
@Timeout(60)
class ObserverFilteringWireTest {
  private static final int EXTENDED_CLIPBOARD = 0xC0A1E5CE;
  @TempDir static Path dir;
  static ScriptedRfbServer server;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    server = ScriptedRfbServer.builder().noneAuth().desktop(64, 48, "wire").start();
    gw = new GatewayHarness(dir, GatewayHarness.target("wire", server.port(), null), null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gw != null) gw.close();
    if (server != null) server.close();
  }

  private static byte[] msg(Writer w) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    w.write(new DataOutputStream(b));
    return b.toByteArray();
  }

  interface Writer {
    void write(DataOutputStream out) throws Exception;
  }

  /** Extended clipboard "provide" of text: flags, then one zlib stream of U32 size + UTF-8 + NUL. */
  private static byte[] extendedProvide(String text) throws Exception {
    byte[] utf8 = (text + "\0").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    new DataOutputStream(plain).writeInt(utf8.length);
    plain.write(utf8);
    Deflater d = new Deflater();
    d.setInput(plain.toByteArray());
    d.finish();
    byte[] buf = new byte[1024];
    int n = d.deflate(buf);
    return msg(o -> {
      o.writeByte(6);
      o.write(new byte[3]);
      o.writeInt(-(4 + n));
      o.writeInt((1 << 28) | 1);   // provide | text
      o.write(buf, 0, n);
    });
  }

  @Test
  void observerInputNeverReachesTheServerButItsStateMessagesDo() throws Exception {
    String controllerToken = gw.token("alice", "**", Role.CONTROL);
    JsonObject a = gw.session(controllerToken, "static/wire", "control");
    JsonObject b = gw.session(gw.token("bob", "**", Role.VIEW), "static/wire", "view");
    // one after the other, so that each viewer's upstream is known: two browsers' upstreams are set up
    // at their upgrades, concurrently, and may reach the server in either order
    try (WebSocketTcpBridge ba = gw.bridge(a.getString("ticket"));
         RfbTestClient alice = RfbTestClient.connect(ba.host(), ba.port())) {
      alice.handshakeNone();
      ScriptedRfbServer.Connection aliceUpstream = server.connections().get(server.connections().size() - 1);
      try (WebSocketTcpBridge bb = gw.bridge(b.getString("ticket"));
           RfbTestClient bob = RfbTestClient.connect(bb.host(), bb.port())) {
        bob.handshakeNone();
        ScriptedRfbServer.Connection bobUpstream = server.connections().get(server.connections().size() - 1);
        assertNotSame(aliceUpstream, bobUpstream);
        observerFiltered(bob, bobUpstream);
        controllerPasses(alice, aliceUpstream);
      }
    }
  }

  private void observerFiltered(RfbTestClient bob, ScriptedRfbServer.Connection bobUpstream) throws Exception {
    // allowed for an observer: SetEncodings (with extended clipboard), SetPixelFormat, FBUR, extended caps, Fence
    bob.send(msg(o -> { o.writeByte(2); o.writeByte(0); o.writeShort(2); o.writeInt(0); o.writeInt(EXTENDED_CLIPBOARD); }));
    bob.send(msg(o -> { o.writeByte(6); o.write(new byte[3]); o.writeInt(-8); o.writeInt((1 << 24) | 1); o.writeInt(1 << 20); }));
    // input an observer must not send
    bob.sendKeyEvent(true, 0x61);
    bob.sendPointerEvent(1, 10, 10);
    bob.sendClientCutText("classic paste");
    bob.send(extendedProvide("extended paste"));
    bob.send(msg(o -> { o.writeByte(250); o.writeByte(0); o.writeByte(1); o.writeByte(2); }));           // xvp reboot
    bob.send(msg(o -> { o.writeByte(251); o.writeByte(0); o.writeShort(64); o.writeShort(48); o.writeByte(1); o.writeByte(0);
      o.writeInt(0); o.writeShort(0); o.writeShort(0); o.writeShort(64); o.writeShort(48); o.writeInt(0); }));   // SetDesktopSize
    bob.send(msg(o -> { o.writeByte(255); o.writeByte(0); o.writeShort(1); o.writeInt(0x61); o.writeInt(30); }));  // QEMU key
    bob.sendFramebufferUpdateRequest(false, 0, 0, 1, 1);
    bobUpstream.awaitMessage(3, Duration.ofSeconds(5));
    Thread.sleep(200);

    List<Integer> types = bobUpstream.messageTypes();
    assertEquals(List.of(2, 6, 3), types, "only SetEncodings, extended caps and FramebufferUpdateRequest reach the server");
    assertFalse(bob.isClosedByPeer(Duration.ofMillis(200)), "dropping is silent for the viewer; the connection stays");

    String metrics = gw.get("/metrics", null).body();
    for (String type : List.of("KeyEvent", "PointerEvent", "ClientCutText", "xvp", "SetDesktopSize", "QEMUExtendedKeyEvent")) {
      assertTrue(metrics.matches("(?s).*vncgate_dropped_messages_total\\{reason=\"role\",type=\"" + type + "\"} [1-9].*"),
          type + " counted:\n" + metrics);
    }
  }

  private static void controllerPasses(RfbTestClient alice, ScriptedRfbServer.Connection aliceUpstream) throws Exception {
    alice.sendKeyEvent(true, 0x62);
    alice.sendClientCutText("alice paste");
    aliceUpstream.awaitMessage(6, Duration.ofSeconds(5));
    assertTrue(aliceUpstream.messageTypes().containsAll(List.of(4, 6)), aliceUpstream.messageTypes().toString());
  }
}
