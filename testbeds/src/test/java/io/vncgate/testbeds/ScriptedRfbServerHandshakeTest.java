package io.vncgate.testbeds;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each script of {@link ScriptedRfbServer} up to ServerInit, checked byte by byte where it matters. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScriptedRfbServerHandshakeTest {

  private static final Duration SHORT = Duration.ofSeconds(3);

  @Test
  void defaultScriptIsA38NoneServerThatRecordsTheHandshake() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      ServerInitInfo init = client.handshakeNone();
      assertEquals(new ServerInitInfo(64, 48, "scripted", PixelFormat.RGB888_LE), init);
      assertEquals(8, client.protocolMinor());
      assertEquals(List.of(1), client.offeredSecurityTypes());

      ScriptedRfbServer.Connection connection = server.awaitConnections(1, SHORT).get(0);
      assertEquals("RFB 003.008\n", connection.clientVersion());
      assertEquals(1, connection.chosenSecurityType());
      assertTrue(connection.sharedFlag());
      assertEquals(0, server.authAttempts());
    }
  }

  @Test
  void exclusiveClientInitIsRecordedAsSharedFalse() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      client.shared(false).handshakeNone();
      ScriptedRfbServer.Connection connection = server.awaitConnections(1, SHORT).get(0);
      Await.await(connection::clientInitReceived, "ClientInit recorded");
      assertFalse(connection.sharedFlag());
    }
  }

  @Test
  void vncAuthAcceptsTheDesResponseOfTheRightPasswordOnly() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().vncAuth("secret12").start()) {
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        assertEquals(64, client.handshakeVncAuth("secret12").width());
        assertEquals(List.of(2), client.offeredSecurityTypes());
      }
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("secret13"));
        assertEquals("Authentication failed", refused.reason());
        assertTrue(refused.reasonFromServer());
      }
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        assertEquals(64, client.handshakeVncAuth("secret12 and more").width(),
            "only the first 8 characters count");
      }
      assertEquals(3, server.authAttempts());
    }
  }

  @Test
  void version33ServerChoosesTheTypeAndFailsWithoutAReason() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().version33().vncAuth("pw").start()) {
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        client.handshakeVncAuth("pw");
        assertEquals(3, client.protocolMinor());
        assertEquals(List.of(2), client.offeredSecurityTypes());
      }
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("nope"));
        assertFalse(refused.reasonFromServer(), "3.3 SecurityResult carries no reason");
      }
      assertEquals("RFB 003.003\n", server.connections().get(0).clientVersion());
    }
  }

  @Test
  void version33NoneHasNoSecurityResult() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().version33().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      assertEquals("RFB 003.003\n", client.readBanner());
      client.sendVersion(3);
      assertEquals(1, client.readU32(), "U32 security type None");
      client.send(new byte[] {1});
      assertEquals(64, client.readU8() << 8 | client.readU8(), "ServerInit follows at once");
    }
  }

  @Test
  void appleBannerIsAnsweredAs38() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().banner("RFB 003.889\n").start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      client.handshakeNone();
      assertEquals(8, client.protocolMinor());
      assertEquals("RFB 003.008\n", server.connections().get(0).clientVersion());
    }
  }

  @Test
  void repeaterBannerIsSentVerbatimAndTheClientRefusesIt() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().banner("RFB 000.000\n").start()) {
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        assertEquals("RFB 000.000\n", client.readBanner());
      }
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        RfbProtocolException e = assertThrows(RfbProtocolException.class, client::handshakeNone);
        assertTrue(e.getMessage().contains("000.000"), e.getMessage());
      }
    }
  }

  @Test
  void refusalIn38IsAnEmptyTypeListAndAReason() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder()
        .refuseWithReason("target static/lab1 unreachable").start()) {
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        assertEquals("RFB 003.008\n", client.readBanner());
        client.sendVersion(8);
        assertEquals(0, client.readU8());
        assertEquals("target static/lab1 unreachable", client.readFailureReason());
        assertTrue(client.isClosedByPeer(SHORT));
      }
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
        assertEquals("target static/lab1 unreachable", refused.reason());
      }
    }
  }

  @Test
  void refusalIn33IsSecurityTypeZeroAndAReason() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().version33()
        .refuseWithReason("go away").start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      client.readBanner();
      client.sendVersion(3);
      assertEquals(0, client.readU32());
      assertEquals("go away", client.readFailureReason());
      assertTrue(client.isClosedByPeer(SHORT));
    }
  }

  @Test
  void tooManyAttemptsSendsTigerVncsBlacklistBytesWithoutWaiting() throws Exception {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(expected);
    data.write("RFB 003.003\n".getBytes(ISO_8859_1));
    data.writeInt(0);
    data.writeInt(26);
    data.write("Too many security failures".getBytes(ISO_8859_1));
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().tooManyAttempts().start()) {
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        assertArrayEquals(expected.toByteArray(), client.readUntilClosed(SHORT));
      }
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        RfbRefused refused = assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("x"));
        assertEquals("Too many security failures", refused.reason());
      }
    }
  }

  @Test
  void authFailsWithReasonAfterNoneIn38() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder()
        .authFailsWithReason("ticket expired").start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      RfbRefused refused = assertThrows(RfbRefused.class, client::handshakeNone);
      assertEquals("ticket expired", refused.reason());
      assertTrue(client.isClosedByPeer(SHORT));
    }
  }

  @Test
  void authFailsWithReasonAfterAVncAuthResponse() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().vncAuth("pw")
        .authFailsWithReason("locked").start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      assertEquals("locked", assertThrows(RfbRefused.class, () -> client.handshakeVncAuth("pw")).reason());
      assertEquals(1, server.authAttempts());
    }
  }

  @Test
  void offeredTypesAreSentInOrderAndTheChoiceIsRecorded() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().vncAuth("pw")
        .securityTypes(19, 2).start()) {
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        client.handshakeVncAuth("pw");
        assertEquals(List.of(19, 2), client.offeredSecurityTypes());
      }
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        client.readBanner();
        client.sendVersion(8);
        assertArrayEquals(new byte[] {2, 19, 2}, client.readExactly(3));
        client.send(new byte[] {19});
        assertEquals(1, client.readU32(), "SecurityResult failed");
        assertTrue(client.readFailureReason().contains("19"));
      }
      assertEquals(List.of(2, 19),
          server.connections().stream().map(ScriptedRfbServer.Connection::chosenSecurityType).toList());
    }
  }

  @Test
  void garbageBytesAreSentVerbatimThenTheServerCloses() throws Exception {
    byte[] ssh = "SSH-2.0-OpenSSH_9.2p1 Debian\r\n".getBytes(ISO_8859_1);
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().sendRaw(ssh).start()) {
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        assertArrayEquals(ssh, client.readUntilClosed(SHORT));
      }
      try (RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
        RfbProtocolException e = assertThrows(RfbProtocolException.class, client::handshakeNone);
        assertEquals("not an RFB banner: 'SSH-2.0-Open'", e.getMessage());
      }
    }
  }

  @Test
  void garbageThenStallKeepsTheConnectionOpen() throws Exception {
    byte[] tls = {0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00};
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().sendRaw(tls).stall().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      assertArrayEquals(tls, client.readExactly(tls.length));
      assertFalse(client.isClosedByPeer(Duration.ofMillis(300)));
      server.close();
      assertTrue(client.isClosedByPeer(SHORT));
    }
  }

  @Test
  void stallSendsNothingAndCloseImmediatelySendsNothingAndCloses() throws Exception {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().stall().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      server.awaitConnections(1, SHORT);
      assertFalse(client.isClosedByPeer(Duration.ofMillis(300)));
    }
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().closeImmediately().start();
         RfbTestClient client = RfbTestClient.connect(server.host(), server.port())) {
      assertEquals(0, client.readUntilClosed(SHORT).length);
      assertTrue(server.awaitConnections(1, SHORT).get(0).awaitClosed(SHORT));
    }
  }

  @Test
  void awaitConnectionsFailsClearlyWhenTooFewArrive() throws IOException {
    try (ScriptedRfbServer server = ScriptedRfbServer.builder().start()) {
      RfbTestClient.connect(server.host(), server.port()).close();
      server.awaitConnections(1, SHORT);
      TestbedException e = assertThrows(TestbedException.class,
          () -> server.awaitConnections(2, Duration.ofMillis(200)));
      assertEquals("expected 2 connection(s) within PT0.2S, got 1", e.getMessage());
    }
  }
}
