package io.vncgate.gateway.provider.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.config.ConfigException;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.gateway.provider.plugin.fixture.FixtureProvider;
import io.vncgate.gateway.provider.plugin.fixture.ThrowingPlugin;
import io.vncgate.testbeds.PluginZip;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gateway loads provider plugins from its plugins folder: configured providers from plugins
 * serve targets; broken plugins are skipped and the gateway still starts; a configured provider
 * nobody offers stops start-up naming the key.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProviderLoaderTest {
  @TempDir
  Path dir;

  private Path plugins() throws Exception {
    return Files.createDirectories(dir.resolve("plugins"));
  }

  private Path goodFixture() throws Exception {
    return PluginZip.plugin("fixture").extension(FixtureProvider.class).writeTo(plugins(), "fixture.zip");
  }

  private static List<String> ids(HttpResponse<String> targets) {
    JsonArray arr = new JsonObject(targets.body()).getJsonArray("targets");
    return arr.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  void pluginProviderServesTargetsNextToBrokenPluginsAndTheGatewayIsReady() throws Exception {
    goodFixture();
    PluginZip.plugin("future").set("plugin.requires", ">=99.0.0").writeTo(plugins(), "future.zip");
    PluginZip.plugin("thrower").set("plugin.class", ThrowingPlugin.class.getName()).withClass(ThrowingPlugin.class)
        .writeTo(plugins(), "thrower.zip");
    Files.writeString(plugins().resolve("junk.zip"), "not a zip");
    GatewayHarness.Builder gateway = GatewayHarness.in(dir).noTcp().yaml("""
        providers:
          static: {targets: [{id: s1, host: 127.0.0.1, port: 5999}]}
          fixture:
            targets: [{id: a, port: 5901}, {id: b, port: 5902}]
        """);
    try (GatewayHarness gw = gateway.start()) {
      HttpResponse<String> r = gw.get("/api/v1/targets");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(List.of("fixture/a", "fixture/b", "static/s1"), ids(r));
      JsonObject labels = new JsonObject(r.body()).getJsonArray("targets").getJsonObject(0).getJsonObject("labels");
      assertFalse(labels.getString("started-on").contains("eventloop"), "start() ran on " + labels.getString("started-on"));
      assertEquals("plugin", labels.getString("context-loader"), "start() runs with the plugin's class loader as context loader");
      assertEquals("0.1.0", labels.getString("gateway"));
      assertTrue(gw.gateway.services().providers().ready(), "broken plugins no config names do not affect readiness");
      assertEquals(201, gw.post("/api/v1/sessions", "{\"target\": \"fixture/a\"}").statusCode());
    }
  }

  @Test
  void configuredProviderWithNoPluginStopsStartUpNamingTheKeyAndWhatWasFound() throws Exception {
    Path zip = goodFixture();
    Path junk = Files.writeString(plugins().resolve("junk.zip"), "not a zip");
    Throwable e = GatewayHarness.in(dir).noTcp().yaml("providers:\n  fixture: {}\n  foo: {targets: []}\n")
        .startFailure();
    assertInstanceOf(ConfigException.class, e);
    assertEquals("providers.foo: no provider named \"foo\": built in is static; plugins found: fixture (from " + zip
        + "), " + junk + " (broken)", e.getMessage());
  }

  @Test
  void configuredProviderWithNoPluginsAtAllSaysWhereItLooked() throws Exception {
    Throwable e = GatewayHarness.in(dir).noTcp().yaml("providers:\n  ssh: {}\n")
        .startFailure();
    assertTrue(e.getMessage().startsWith("providers.ssh: no provider named \"ssh\": built in is static; plugins found: none (looked in "
        + dir.resolve("plugins") + " (absent"), e.getMessage());
  }

  @Test
  void configuredProviderWhosePluginIsIncompatibleIsAbsentButTheGatewayStarts() throws Exception {
    PluginZip.plugin("fixture").set("plugin.requires", ">=99.0.0").extension(FixtureProvider.class)
        .writeTo(plugins(), "fixture.zip");
    GatewayHarness.Builder gateway = GatewayHarness.in(dir).noTcp().yaml("""
        providers:
          static: {targets: [{id: s1, host: 127.0.0.1, port: 5999}]}
          fixture: {targets: [{id: a, port: 5901}]}
        """);
    try (GatewayHarness gw = gateway.start()) {
      assertEquals(List.of("static/s1"), ids(gw.get("/api/v1/targets")));
      var registry = gw.gateway.services().providers();
      assertFalse(registry.ready());
      String why = registry.unavailable().get("fixture");
      assertTrue(why.contains("is incompatible: it requires gateway version >=99.0.0; this gateway is 0.1.0"), why);
      HttpResponse<String> session = gw.post("/api/v1/sessions", "{\"target\": \"fixture/a\"}");
      assertEquals(503, session.statusCode(), session.body());
      assertTrue(session.body().contains("provider fixture is not available: plugin fixture (from"), session.body());
    }
  }

  @Test
  void providerWhoseStartFailsIsAbsentWithItsReason() throws Exception {
    goodFixture();
    GatewayHarness.Builder gateway = GatewayHarness.in(dir).noTcp().yaml("providers:\n  fixture: {fail-start: \"cannot reach the inventory\"}\n");
    try (GatewayHarness gw = gateway.start()) {
      assertEquals(List.of(), ids(gw.get("/api/v1/targets")));
      String why = gw.gateway.services().providers().unavailable().get("fixture");
      assertTrue(why.startsWith("plugin fixture 1.0.0 from " + plugins().resolve("fixture.zip")
          + " failed to start: cannot reach the inventory"), why);
      assertFalse(gw.gateway.services().providers().ready());
    }
  }

  @Test
  void providerStartSlowerThanTheProviderTimeoutIsAbsent() throws Exception {
    goodFixture();
    GatewayHarness.Builder gateway = GatewayHarness.in(dir).noTcp().yaml("providers:\n  fixture: {start-delay: 3s}\n")
        .server("  provider-timeout: 1s\n");
    long t0 = System.nanoTime();
    try (GatewayHarness gw = gateway.start()) {
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3), "start-up did not wait for the slow provider");
      String why = gw.gateway.services().providers().unavailable().get("fixture");
      assertTrue(why.endsWith("did not start within 1 s (server.provider-timeout)"), why);
    }
  }

  @Test
  void providerConfigErrorStopsStartUpNamingTheKey() throws Exception {
    goodFixture();
    Throwable e = GatewayHarness.in(dir).noTcp().yaml("providers:\n  fixture: {targets: [{id: a, prot: 1}]}\n")
        .startFailure();
    assertInstanceOf(ConfigException.class, e);
    assertTrue(e.getMessage().startsWith("providers.fixture.targets[0].prot: unknown key"), e.getMessage());
  }

  @Test
  void pluginsDirFromTheConfigIsUsed() throws Exception {
    Path elsewhere = Files.createDirectories(dir.resolve("opt/plugins"));
    PluginZip.plugin("fixture").extension(FixtureProvider.class).writeTo(elsewhere, "fixture.zip");
    GatewayHarness.Builder gateway = GatewayHarness.in(dir).noTcp().yaml("plugins: {dir: opt/plugins}\nproviders:\n  fixture: {targets: [{id: z, port: 5900}]}\n");
    try (GatewayHarness gw = gateway.start()) {
      assertEquals(List.of("fixture/z"), ids(gw.get("/api/v1/targets")));
    }
  }
}
