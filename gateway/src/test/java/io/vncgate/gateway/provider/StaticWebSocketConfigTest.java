package io.vncgate.gateway.provider;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.e2e.GatewayHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A static target's {@code websocket:} section is validated at start, each error naming its key. */
@Timeout(60)
class StaticWebSocketConfigTest {
  @TempDir Path dir;

  private String startFailure(String target) throws Exception {
    return GatewayHarness.in(dir).noTcp().targets("      - id: vm\n" + target).startFailure().getMessage();
  }

  @Test
  void hostAndWebSocketTogetherAreRefused() throws Exception {
    String m = startFailure("        host: 127.0.0.1\n        websocket: {url: \"ws://127.0.0.1:1/\"}\n");
    assertTrue(m.contains("providers.static.targets[0].websocket: give either host/port (TCP) or websocket, not both"), m);
  }

  @Test
  void onlyWebSocketUrls() throws Exception {
    String m = startFailure("        websocket: {url: \"https://127.0.0.1:8006/\"}\n");
    assertTrue(m.contains("providers.static.targets[0].websocket.url: use a ws:// or wss:// URL"), m);
  }

  @Test
  void aFingerprintMustBeSha256() throws Exception {
    String m = startFailure("        websocket: {url: \"wss://127.0.0.1:8006/\", fingerprint: \"AB:CD\"}\n");
    assertTrue(m.contains("providers.static.targets[0].websocket.fingerprint: a SHA-256 certificate fingerprint is 64 hex"), m);
  }

  @Test
  void pinAndCaFileTogetherAreRefused() throws Exception {
    String m = startFailure("        websocket: {url: \"wss://127.0.0.1:8006/\", fingerprint: \"" + "ab".repeat(32)
        + "\", ca-file: ca.pem}\n");
    assertTrue(m.contains("providers.static.targets[0].websocket.fingerprint: give either ca-file or fingerprint, not both"), m);
  }

  @Test
  void aMissingHeaderFileIsNamed() throws Exception {
    String m = startFailure("        websocket: {url: \"ws://127.0.0.1:1/\", header-files: {Authorization: nope.txt}}\n");
    assertTrue(m.contains("providers.static.targets[0].websocket.header-files.Authorization: file "), m);
    assertTrue(m.contains("nope.txt does not exist or is not readable"), m);
  }

  @Test
  void theGatewaysOwnHeadersCannotBeSet() throws Exception {
    String m = startFailure("        websocket: {url: \"ws://127.0.0.1:1/\", header-files: {Sec-WebSocket-Key: k.txt}}\n");
    assertTrue(m.contains("Sec-WebSocket-Key: the gateway sets this header itself"), m);
  }
}
