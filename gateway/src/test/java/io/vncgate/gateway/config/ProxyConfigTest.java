package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * server.base-path: "/" by default, a trailing slash dropped, anything that is not a plain path
 * refused naming the key; server.trusted-proxies: empty by default, IPs and CIDR ranges taken, a
 * host name or a bad prefix refused naming the entry.
 */
class ProxyConfigTest {
  @TempDir Path dir;

  private GatewayConfig load(String server) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef-long-enough\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, "auth: {jwt: {secret-file: jwt.key}}\n" + server);
    return ConfigLoader.load(f);
  }

  @Test
  void theBasePathDefaultsToTheRoot() throws Exception {
    GatewayConfig.Server s = load("").server();
    assertEquals("/", s.basePath());
    assertEquals("", s.pathPrefix());
    assertEquals(List.of(), s.trustedProxies());
  }

  @Test
  void aBasePathIsTakenWithOrWithoutItsTrailingSlash() throws Exception {
    assertEquals("/vnc", load("server: {base-path: /vnc}\n").server().basePath());
    assertEquals("/vnc", load("server: {base-path: /vnc/}\n").server().pathPrefix());
    assertEquals("/tools/vnc-1.2_x~y", load("server: {base-path: /tools/vnc-1.2_x~y}\n").server().basePath());
    assertEquals("/", load("server: {base-path: /}\n").server().basePath());
  }

  @Test
  void aBadBasePathIsRefusedNamingTheKey() {
    for (String bad : new String[] {"vnc", "/vnc?x=1", "/a//b", "/a/../b", "/..", "/v nc", "http://x/vnc", "/vnc#x", "", " ",
        "/healthz"}) {
      String m = assertThrows(ConfigException.class, () -> load("server:\n  base-path: \"" + bad + "\"\n"), bad).getMessage();
      assertTrue(m.contains("server.base-path"), bad + ": " + m);
    }
  }

  @Test
  void trustedProxiesTakeAddressesAndRanges() throws Exception {
    List<AddressRange> r = load("server: {trusted-proxies: [10.0.0.0/8, 127.0.0.1, \"::1\", \"fd00::/8\"]}\n")
        .server().trustedProxies();
    assertEquals(4, r.size());
    assertEquals("10.0.0.0/8", r.get(0).toString());
  }

  @Test
  void aHostNameOrABadRangeIsRefusedNamingTheEntry() {
    String m = assertThrows(ConfigException.class,
        () -> load("server: {trusted-proxies: [10.0.0.1, proxy.example.com]}\n")).getMessage();
    assertTrue(m.contains("server.trusted-proxies[1]") && m.contains("no host names"), m);
    m = assertThrows(ConfigException.class, () -> load("server: {trusted-proxies: [10.0.0.0/33]}\n")).getMessage();
    assertTrue(m.contains("server.trusted-proxies[0]") && m.contains("0 to 32"), m);
  }
}
