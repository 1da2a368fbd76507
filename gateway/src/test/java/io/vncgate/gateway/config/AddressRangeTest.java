package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** IP literals and CIDR ranges for server.trusted-proxies: IPv4, IPv6, mapped addresses, garbage. */
class AddressRangeTest {
  private static byte[] ip(String s) {
    return AddressRange.literal(s).orElseThrow(() -> new AssertionError("not read: " + s));
  }

  @Test
  void ipv4RangesContainTheirAddressesOnly() {
    AddressRange r = AddressRange.parse("10.1.0.0/16");
    assertTrue(r.contains(ip("10.1.0.0")));
    assertTrue(r.contains(ip("10.1.255.254")));
    assertFalse(r.contains(ip("10.2.0.1")));
    assertFalse(r.contains(ip("::ffff:10.2.0.1")));
    assertTrue(r.contains(ip("::ffff:10.1.2.3")), "an IPv4-mapped IPv6 address is its IPv4 address");
    assertFalse(r.contains(ip("::1")), "an IPv4 range never holds an IPv6 address");
    AddressRange one = AddressRange.parse("127.0.0.2");
    assertTrue(one.contains(ip("127.0.0.2")));
    assertFalse(one.contains(ip("127.0.0.3")));
    assertTrue(AddressRange.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
    assertTrue(AddressRange.parse("192.168.1.77/30").contains(ip("192.168.1.76")), "host bits beyond the prefix are ignored");
    assertFalse(AddressRange.parse("192.168.1.77/30").contains(ip("192.168.1.80")));
  }

  @Test
  void ipv6RangesContainTheirAddressesOnly() {
    AddressRange r = AddressRange.parse("fd00::/8");
    assertTrue(r.contains(ip("fd12:3456::1")));
    assertFalse(r.contains(ip("fe80::1")));
    assertFalse(r.contains(ip("10.0.0.1")));
    assertTrue(AddressRange.parse("::1").contains(ip("0:0:0:0:0:0:0:1")));
    assertTrue(AddressRange.parse("2001:db8::/33").contains(ip("2001:db8:7fff::1")));
    assertFalse(AddressRange.parse("2001:db8::/33").contains(ip("2001:db8:8000::1")));
  }

  @Test
  void literalsAreReadWithoutALookupAndCanonicalised() {
    assertArrayEquals(new byte[] {127, 0, 0, 1}, ip("127.0.0.1"));
    assertEquals("0:0:0:0:0:0:0:1", AddressRange.format(ip("::1")));
    assertEquals("2001:db8:0:0:0:0:0:1", AddressRange.format(ip("2001:DB8::1")));
    for (String notOne : new String[] {"", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
        "1.2.3.-4", " 1.2.3.4", "::g", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "unknown", "_hidden", "[::1]", "1.2.3.4:80",
        "deadbeef", "a".repeat(100)}) {
      assertTrue(AddressRange.literal(notOne).isEmpty(), notOne);
    }
  }

  @Test
  void badRangesAreRefusedInWords() {
    for (String bad : new String[] {"proxy.example.com", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "/8", "",
        "10.0.0.0/8/8"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(bad), bad);
      assertTrue(e.getMessage().contains(bad.isEmpty() ? "\"\"" : bad), e.getMessage());
    }
  }
}
