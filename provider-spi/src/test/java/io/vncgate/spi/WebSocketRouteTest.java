package io.vncgate.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebSocketRouteTest {
  @Test
  void describeNeverShowsTheQueryWhereTheTicketIs() {
    Route.WebSocket ws = new Route.WebSocket(URI.create(
        "wss://pve1.example:8006/api2/json/nodes/pve1/qemu/100/vncwebsocket?port=5900&vncticket=PVEVNC%3Asecret"),
        Map.of("Authorization", Secret.of("PVEAPIToken=a@pve!b=c")), List.of("binary"), Tls.pinned("ab".repeat(32), null));
    assertEquals("wss://pve1.example:8006/api2/json/nodes/pve1/qemu/100/vncwebsocket", ws.describe());
    assertEquals(Route.WebSocket.DEFAULT_MAX_FRAME_BYTES, ws.maxFrameBytes());
    assertEquals(128 * 1024, ws.maxFrameBytes());
    org.junit.jupiter.api.Assertions.assertFalse(ws.toString().contains("secret") || ws.toString().contains("PVEAPIToken"),
        ws.toString());
  }

  @Test
  void onlyWebSocketUrls() {
    assertThrows(IllegalArgumentException.class, () -> new Route.WebSocket(URI.create("https://pve1:8006/"), null, null, null));
    assertThrows(IllegalArgumentException.class, () -> new Route.WebSocket(URI.create("ws://h/"), null, null, null, -1));
  }

  @Test
  void fingerprintsAreReadInEveryCommonSpelling() {
    String canonical = ("AB:".repeat(31)) + "AB";
    assertEquals(canonical, Tls.fingerprint("ab".repeat(32)));
    assertEquals(canonical, Tls.fingerprint(canonical.toLowerCase()));
    assertEquals(canonical, Tls.fingerprint("sha256 Fingerprint=" + canonical));
    assertEquals(canonical, Tls.pinned("ab".repeat(32), "k").pinnedSha256());
    assertThrows(IllegalArgumentException.class, () -> Tls.fingerprint("AB:CD"));
    assertThrows(IllegalArgumentException.class, () -> new Tls(Path.of("ca.pem"), canonical));
  }
}
