package io.vncgate.gateway.front;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vncgate.gateway.config.AddressRange;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Who the client is behind trusted proxies: X-Forwarded-For and Forwarded read right to left,
 * trusted hops skipped (nginx's real_ip_recursive), anything from an untrusted peer ignored,
 * malformed entries ending the walk without an exception.
 */
class ForwardedForTest {
  private final ForwardedFor proxies = new ForwardedFor(List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("::1")));

  private static MultiMap headers(String... nameValue) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValue.length; i += 2) m.add(nameValue[i], nameValue[i + 1]);
    return m;
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItSends() {
    MultiMap forged = headers("X-Forwarded-For", "198.51.100.1", "Forwarded", "for=198.51.100.2",
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example");
    assertEquals("192.0.2.7", proxies.client("192.0.2.7", forged));
    assertEquals(Optional.empty(), proxies.origin("192.0.2.7", forged));
    assertFalse(proxies.trusts("192.0.2.7"));
    assertFalse(proxies.trusts("unknown"));
    assertFalse(new ForwardedFor(List.of()).trusts("10.0.0.1"), "no trusted proxies: nobody is believed");
  }

  @Test
  void theRightMostUntrustedHopIsTheClient() {
    assertEquals("203.0.113.9", proxies.client("10.0.0.5", headers("X-Forwarded-For", "203.0.113.9")));
    // what the client wrote itself stays at the left and is never reached
    assertEquals("203.0.113.9", proxies.client("10.0.0.5", headers("X-Forwarded-For", "1.1.1.1, 203.0.113.9")));
    // two proxies of ours in a row are skipped
    assertEquals("203.0.113.9", proxies.client("10.0.0.5", headers("X-Forwarded-For", "6.6.6.6, 203.0.113.9, 10.0.0.7")));
    // several header lines are one list, in order
    assertEquals("203.0.113.9", proxies.client("10.0.0.5", headers("X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "203.0.113.9")));
    // only trusted hops: the left-most of them
    assertEquals("10.0.0.8", proxies.client("10.0.0.5", headers("X-Forwarded-For", "10.0.0.8, 10.0.0.7")));
    // no header: the proxy itself
    assertEquals("10.0.0.5", proxies.client("10.0.0.5", headers()));
  }

  @Test
  void ipv6HopsAndPortsAreRead() {
    assertEquals("2001:db8:0:0:0:0:0:7", proxies.client("0:0:0:0:0:0:0:1", headers("X-Forwarded-For", "2001:db8::7")));
    assertEquals("2001:db8:0:0:0:0:0:7", proxies.client("::1", headers("X-Forwarded-For", "[2001:db8::7]:4711")));
    assertEquals("203.0.113.9", proxies.client("::1", headers("X-Forwarded-For", "203.0.113.9:4711")));
    assertEquals("203.0.113.9", proxies.client("::1", headers("X-Forwarded-For", "::ffff:203.0.113.9")));
  }

  @Test
  void malformedEntriesEndTheWalkWithoutACrash() {
    // garbage right of the client: the last good hop (the proxy's own word so far) stands
    assertEquals("10.0.0.5", proxies.client("10.0.0.5", headers("X-Forwarded-For", "203.0.113.9, garbage")));
    assertEquals("10.0.0.7", proxies.client("10.0.0.5", headers("X-Forwarded-For", "203.0.113.9, not-an-ip, 10.0.0.7")));
    for (String bad : new String[] {"", ",", " , ,", "unknown", "[::1", "[]:80", "1.2.3.4:x:y", "\u0000\n", "999.1.1.1",
        "a".repeat(10_000), "fe80::1%eth0", "[", "]"}) {
      assertEquals("10.0.0.5", proxies.client("10.0.0.5", headers("X-Forwarded-For", bad)), bad);
      assertEquals("10.0.0.5", proxies.client("10.0.0.5", headers("Forwarded", "for=" + bad)), bad);
    }
    // a long chain of our own proxies is cut, never walked without end
    String chain = String.join(", ", Collections.nCopies(1000, "10.0.0.9"));
    assertEquals("10.0.0.9", proxies.client("10.0.0.5", headers("X-Forwarded-For", chain)));
  }

  @Test
  void rfc7239ForwardedIsReadWhenThereIsNoXForwardedFor() {
    assertEquals("203.0.113.9", proxies.client("10.0.0.5", headers("Forwarded", "for=203.0.113.9;proto=https")));
    assertEquals("2001:db8:0:0:0:0:0:7", proxies.client("10.0.0.5",
        headers("Forwarded", "for=1.1.1.1, for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.7")));
    assertEquals("10.0.0.5", proxies.client("10.0.0.5", headers("Forwarded", "for=_hidden")), "an obfuscated node");
    assertEquals("10.0.0.5", proxies.client("10.0.0.5", headers("Forwarded", "proto=https")), "no for=");
    // X-Forwarded-For wins when both are there
    assertEquals("203.0.113.1", proxies.client("10.0.0.5", headers("X-Forwarded-For", "203.0.113.1", "Forwarded", "for=203.0.113.2")));
  }

  @Test
  void theOriginAProxyReports() {
    assertEquals(Optional.of("https://vnc.example.com"), proxies.origin("10.0.0.5",
        headers("X-Forwarded-Proto", "https", "X-Forwarded-Host", "vnc.example.com:443")));
    assertEquals(Optional.of("http://127.0.0.1:8080"), proxies.origin("10.0.0.5",
        headers("X-Forwarded-Proto", "http", "Host", "127.0.0.1:8080")));
    assertEquals(Optional.of("https://vnc.example.com"), proxies.origin("10.0.0.5",
        headers("Forwarded", "for=1.2.3.4;proto=https;host=\"VNC.example.com\"")));
    assertEquals(Optional.empty(), proxies.origin("10.0.0.5", headers("Host", "x")), "no scheme forwarded");
    assertEquals(Optional.empty(), proxies.origin("10.0.0.5", headers("X-Forwarded-Proto", "gopher", "Host", "x")));
    assertEquals(Optional.empty(), proxies.origin("10.0.0.5", headers("X-Forwarded-Proto", "https", "X-Forwarded-Host", "a/b")));
    assertTrue(proxies.origin("10.0.0.5", headers("X-Forwarded-Proto", "https", "X-Forwarded-Host", "[::1]:8443")).isPresent());
  }

  @Test
  void bareStripsPortsAndBrackets() {
    assertEquals("2001:db8::1", ForwardedFor.bare("[2001:db8::1]:4711"));
    assertEquals("2001:db8::1", ForwardedFor.bare("[2001:db8::1]"));
    assertEquals("192.0.2.1", ForwardedFor.bare("192.0.2.1:80"));
    assertEquals("2001:db8::1", ForwardedFor.bare("2001:db8::1"));
  }
}
