package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.engine.ZeroCopy;
import io.vncgate.spi.Sharing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config keys from {@code VNCGATE_} variables (an injected environment; ServeEnvTest runs a real process). */
class EnvOverridesTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef-long-enough";
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), SECRET + "\n");
    Path f = dir.resolve("vncgate.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private GatewayConfig load(String yaml, Map<String, String> env) throws Exception {
    return ConfigLoader.load(write(yaml), env);
  }

  private String error(String yaml, Map<String, String> env) throws Exception {
    Path f = write(yaml);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(f, env)).getMessage();
  }

  @Test
  void environmentOverFileOverDefaults() throws Exception {
    GatewayConfig c = load("server: {port: 6500, host: 127.0.0.1}\nauth: {jwt: {secret-file: jwt.key}}\n",
        Map.of("VNCGATE_SERVER_PORT", "7000", "VNCGATE_SERVER_TCP_PORT", "7001", "VNCGATE_SERVER_HANDSHAKE_TIMEOUT", "45s",
            "VNCGATE_SERVER_ZERO_COPY", "never", "VNCGATE_LIMITS_CONNECTIONS_PER_ADDRESS", "9",
            "VNCGATE_AUTH_TICKETS_TTL", "1m", "VNCGATE_LOGGING_FORMAT", "json", "VNCGATE_LOGGING_ACCESS", "false"));
    assertEquals(7000, c.server().port()); // env over file
    assertEquals("127.0.0.1", c.server().host()); // file
    assertEquals(7001, c.server().tcp().port());
    assertTrue(c.server().tcp().enabled()); // default
    assertEquals(Duration.ofSeconds(45), c.server().handshakeTimeout());
    assertEquals(ZeroCopy.NEVER, c.server().zeroCopy());
    assertEquals(9, c.limits().maxConnectionsPerAddress());
    assertEquals(Duration.ofMinutes(1), c.ticketTtl());
    assertEquals(GatewayConfig.LogFormat.JSON, c.logging().format());
    assertFalse(c.logging().access());
    assertEquals(Duration.ofSeconds(30), c.server().bannerTimeout().plusSeconds(25)); // untouched default (5s)
  }

  @Test
  void listsCommaSeparatedOrIndexed() throws Exception {
    String yaml = "auth: {jwt: {secret-file: jwt.key}, admins: [root]}\n";
    assertEquals(List.of("http://a.example:1", "http://b.example:2"), load(yaml,
        Map.of("VNCGATE_SERVER_ALLOWED_ORIGINS", "http://a.example:1, http://b.example:2")).server().allowedOrigins());
    assertEquals(List.of("alice", "bob"), load(yaml, Map.of("VNCGATE_AUTH_ADMINS_0", "alice", "VNCGATE_AUTH_ADMINS_1", "bob")).admins());
    assertEquals(List.of("root"), load(yaml, Map.of()).admins());
    String item = error(yaml, Map.of("VNCGATE_SERVER_ALLOWED_ORIGINS_0", "http://a:1", "VNCGATE_SERVER_ALLOWED_ORIGINS_1", "b"));
    assertTrue(item.contains("server.allowed-origins[1]: expected an origin") && item.endsWith(
        "(from the environment variable VNCGATE_SERVER_ALLOWED_ORIGINS_1)"), item);
    String gap = error(yaml, Map.of("VNCGATE_AUTH_ADMINS_0", "alice", "VNCGATE_AUTH_ADMINS_2", "bob"));
    assertTrue(gap.contains("VNCGATE_AUTH_ADMINS_1 is not set but VNCGATE_AUTH_ADMINS_2 is (auth.admins)"), gap);
  }

  @Test
  void listsOfMappingsAndUserKeyedMappingsTakeYamlFlowText() throws Exception {
    String yaml = "auth: {jwt: {secret-file: jwt.key}, claims-mapping: [{group: a, targets: [\"x/*\"]}]}\n";
    GatewayConfig c = load(yaml, Map.of(
        "VNCGATE_AUTH_CLAIMS_MAPPING", "[{group: staff, targets: [\"static/*\"], role: control}]",
        "VNCGATE_SESSIONS_SHARING", "{\"static/classroom-*\": fan-out, \"kubevirt/**\": per-viewer}"));
    assertEquals(List.of(new GatewayConfig.GroupRule("staff", List.of("static/*"), "control")), c.jwt().claims().mapping());
    assertEquals(List.of(new GatewayConfig.SharingRule("static/classroom-*", Sharing.FAN_OUT),
        new GatewayConfig.SharingRule("kubevirt/**", Sharing.PER_VIEWER)), c.sessions().sharing());
    // one field of one item, by index: the file's item 0 keeps its targets
    GatewayConfig one = load(yaml, Map.of("VNCGATE_AUTH_CLAIMS_MAPPING_0_ROLE", "control", "VNCGATE_AUTH_CLAIMS_MAPPING_1_GROUP", "b",
        "VNCGATE_AUTH_CLAIMS_MAPPING_1_TARGETS", "y/*,z/**"));
    assertEquals(List.of(new GatewayConfig.GroupRule("a", List.of("x/*"), "control"),
        new GatewayConfig.GroupRule("b", List.of("y/*", "z/**"), "view")), one.jwt().claims().mapping());
    String glob = error(yaml, Map.of("VNCGATE_SESSIONS_SHARING_STATIC", "fan-out"));
    assertTrue(glob.startsWith("VNCGATE_SESSIONS_SHARING_STATIC: sessions.sharing holds keys of your own (target globs)"), glob);
    assertTrue(glob.contains("VNCGATE_SESSIONS_SHARING"), glob);
    String providers = error(yaml, Map.of("VNCGATE_PROVIDERS_STATIC_TARGETS", "[]"));
    assertTrue(providers.contains("providers holds the providers' own keys"), providers);
    String bad = error(yaml, Map.of("VNCGATE_AUTH_CLAIMS_MAPPING", "{group: staff"));
    assertTrue(bad.startsWith("auth.claims-mapping (set by VNCGATE_AUTH_CLAIMS_MAPPING): not valid YAML flow text"), bad);
    assertFalse(bad.contains("staff"), "the variable's text is not echoed: " + bad);
    // the whole providers mapping, as YAML flow text
    GatewayConfig p = load("auth: {jwt: {secret-file: jwt.key}}\n",
        Map.of("VNCGATE_PROVIDERS", "{static: {targets: [{id: lab9, host: 127.0.0.1, port: 5909}]}}"));
    assertEquals("lab9", ((Map<?, ?>) ((List<?>) p.providers().section("static").asMap().get("targets")).get(0)).get("id"));
  }

  @Test
  void aWrongValueNamesTheVariableAndTheKey() throws Exception {
    String m = error("auth: {jwt: {secret-file: jwt.key}}\n", Map.of("VNCGATE_SERVER_TCP_PORT", "seventy"));
    assertEquals("config vncgate.yaml: server.tcp.port: expected a whole number from 0 to 65535, got \"seventy\""
        + " (from the environment variable VNCGATE_SERVER_TCP_PORT)", m);
    String origin = error("auth: {jwt: {secret-file: jwt.key}}\n", Map.of("VNCGATE_SERVER_ALLOWED_ORIGINS", "http://a:1,ftp://b"));
    assertTrue(origin.contains("server.allowed-origins[1]: expected an origin") && origin.endsWith(
        "(from the environment variable VNCGATE_SERVER_ALLOWED_ORIGINS)"), origin);
    String alg = error("auth: {jwt: {secret-file: jwt.key}}\n", Map.of("VNCGATE_AUTH_JWT_ALGORITHM", "none"));
    assertTrue(alg.contains("auth.jwt.algorithm: unsupported \"NONE\"") && alg.contains("VNCGATE_AUTH_JWT_ALGORITHM"), alg);
  }

  @Test
  void anUnknownVariableIsAnErrorWithDidYouMean() throws Exception {
    String m = error("auth: {jwt: {secret-file: jwt.key}}\n", Map.of("VNCGATE_SERVER_PROT", "7000"));
    assertTrue(m.startsWith("VNCGATE_SERVER_PROT is not a config key: server has no key prot — did you mean VNCGATE_SERVER_PORT?"), m);
    String leaf = error("auth: {jwt: {secret-file: jwt.key}}\n", Map.of("VNCGATE_SERVER_PORT_NUMBER", "1"));
    assertTrue(leaf.startsWith("VNCGATE_SERVER_PORT_NUMBER is not a config key: server.port takes one value and has no parts"), leaf);
  }

  @Test
  void reservedNamesAndTheSecretVariableAreNoKeys() throws Exception {
    Map<String, String> env = Map.of("VNCGATE_CONFIG", "/etc/vncgate/vncgate.yaml", "VNCGATE_TOKEN", "eyJ.x.y",
        "VNCGATE_DOCKERD_PIDFILE", "/run/d.pid", "VNCGATE_DEMO_DIR", "/tmp/d", "VNCGATE_LOG_LEVEL", "DEBUG",
        "VNCGATE_JWT_SECRET", SECRET, "VNCGATE_AUTH_JWT_SECRET_ENV", "VNCGATE_JWT_SECRET");
    GatewayConfig c = load("server: {port: 6500}\n", env);
    assertEquals(SECRET, new String(c.jwt().key()));
    // the secret named in the file works the same
    assertEquals(SECRET, new String(load("auth: {jwt: {secret-env: VNCGATE_JWT_SECRET}}\n",
        Map.of("VNCGATE_JWT_SECRET", SECRET)).jwt().key()));
    // a short secret from the environment: named, never echoed
    String m = error("auth: {jwt: {secret-env: VNCGATE_JWT_SECRET}}\n", Map.of("VNCGATE_JWT_SECRET", "short-secret-xyz"));
    assertFalse(m.contains("short-secret-xyz"), m);
    assertTrue(m.contains("auth.jwt.secret-env"), m);
  }

  @Test
  void envNamesFollowTheRule() {
    assertEquals("VNCGATE_SERVER_TCP_PORT", EnvOverrides.envName("server.tcp.port"));
    assertEquals("VNCGATE_LIMITS_UPSTREAM_HANDSHAKES_PER_TARGET", EnvOverrides.envName("limits.upstream.handshakes-per-target"));
    assertEquals("auth.claims-mapping[2].role", EnvOverrides.keyFor("VNCGATE_AUTH_CLAIMS_MAPPING_2_ROLE"));
    assertEquals("server.allowed-origins[1]", EnvOverrides.keyFor("VNCGATE_SERVER_ALLOWED_ORIGINS_1"));
    // every key of the record tree is set by its own variable name (no two keys share one)
    List<ConfigKeys.Node> leaves = ConfigKeys.root().leaves();
    assertTrue(leaves.size() > 50, leaves.toString());
    for (ConfigKeys.Node leaf : leaves) assertEquals(leaf.path, EnvOverrides.keyFor(EnvOverrides.envName(leaf.path)));
  }
}
