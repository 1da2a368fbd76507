package io.vncgate.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import org.junit.jupiter.api.Test;

/** What a refused upgrade's body adds to the words: a Kubernetes Status message, a short text, or nothing. */
class RefusedUpgradeWordsTest {
  private static UpgradeRejectedException refused(int status, String body) {
    return new UpgradeRejectedException("refused", status, MultiMap.caseInsensitiveMultiMap(),
        body == null ? null : Buffer.buffer(body));
  }

  @Test
  void aKubernetesStatusIsQuotedByItsMessage() {
    assertEquals("; the server said: virtualmachineinstances.subresources.kubevirt.io \"web\" is forbidden: User"
        + " \"system:serviceaccount:vncgate:vncgate\" cannot get resource \"virtualmachineinstances/vnc\"",
        WebSocketConnector.serverSaid(refused(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
            + "\"status\":\"Failure\",\"message\":\"virtualmachineinstances.subresources.kubevirt.io \\\"web\\\" is"
            + " forbidden: User \\\"system:serviceaccount:vncgate:vncgate\\\" cannot get resource"
            + " \\\"virtualmachineinstances/vnc\\\"\",\"reason\":\"Forbidden\",\"code\":403}")));
  }

  @Test
  void aShortTextIsQuotedAndAnythingElseIsLeftOut() {
    assertEquals("; the server said: Active VNC connection. Request denied.",
        WebSocketConnector.serverSaid(refused(503, "Active VNC connection. Request denied.\n")));
    assertEquals("", WebSocketConnector.serverSaid(refused(401, null)), "Proxmox: a bare status line");
    assertEquals("", WebSocketConnector.serverSaid(refused(404, "<html><body>Not Found</body></html>")));
    assertEquals("", WebSocketConnector.serverSaid(refused(500, "{\"error\":\"no\"}")), "JSON that is not a Status");
    assertEquals("", WebSocketConnector.serverSaid(refused(400, "x".repeat(300))), "a long text");
  }
}
