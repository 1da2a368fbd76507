package io.vncgate.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.Role;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session reply's {@code vnc.host} is an address a native viewer can connect to: a TCP front on
 * every address (a container's {@code 0.0.0.0}) answers with the host name the request came in by,
 * a TCP front on one address with that address.
 */
class SessionReplyVncHostTest {
  @TempDir Path dir;

  @Test
  void aFrontOnEveryAddressAnswersWithTheHostTheRequestCameInBy() throws Exception {
    try (GatewayHarness gw = GatewayHarness.in(dir).targets(GatewayHarness.target("lab", 1, null))
        .tcp("{host: 0.0.0.0, port: 0}").start()) {
      JsonObject vnc = gw.session(gw.token("alice", "**", Role.CONTROL), "static/lab", "control").getJsonObject("vnc");
      assertEquals("127.0.0.1", vnc.getString("host"), vnc.encode());
    }
  }

  @Test
  void aFrontOnOneAddressAnswersWithThatAddress() throws Exception {
    try (GatewayHarness gw = GatewayHarness.in(dir).targets(GatewayHarness.target("lab", 1, null))
        .tcp("{host: 127.0.0.2, port: 0}").start()) {
      JsonObject vnc = gw.session(gw.token("alice", "**", Role.CONTROL), "static/lab", "control").getJsonObject("vnc");
      assertEquals("127.0.0.2", vnc.getString("host"), vnc.encode());
    }
  }
}
