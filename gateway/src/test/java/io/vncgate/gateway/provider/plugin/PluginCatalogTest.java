package io.vncgate.gateway.provider.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.provider.plugin.PluginReport.Outcome;
import io.vncgate.gateway.provider.plugin.fixture.FixtureProvider;
import io.vncgate.gateway.provider.plugin.fixture.ThrowingPlugin;
import io.vncgate.spi.TargetProvider;
import io.vncgate.testbeds.PluginZip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.PluginClassLoader;

/** Plugin zips built in a temp folder are unpacked, checked, loaded and started by PF4J — or skipped with a reason. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginCatalogTest {
  @TempDir
  Path dir;

  private PluginCatalog load(Path... zips) {
    return PluginCatalog.load(new PluginSources(List.of(dir.toString()), List.of(zips)), "0.1.0", Set.of("static"));
  }

  private static Map<String, PluginReport> byZip(PluginCatalog catalog) {
    return catalog.plugins().stream().collect(Collectors.toMap(p -> p.source().getFileName().toString(), Function.identity()));
  }

  @Test
  void goodZipIsStartedAndItsProviderComesFromThePluginClassLoader() throws Exception {
    Path zip = PluginZip.plugin("fixture").extension(FixtureProvider.class).writeTo(dir, "fixture.zip");
    try (PluginCatalog catalog = load(zip)) {
      PluginReport r = catalog.plugins().get(0);
      assertEquals(Outcome.STARTED, r.outcome());
      assertEquals("fixture", r.id());
      assertEquals("1.0.0", r.version());
      assertEquals(List.of("fixture"), r.providers());
      assertNull(r.reason());
      TargetProvider provider = catalog.provider("fixture").orElseThrow().provider();
      assertInstanceOf(PluginClassLoader.class, provider.getClass().getClassLoader());
      assertNotEquals(FixtureProvider.class, provider.getClass(), "the test's own copy must not be used");
    }
  }

  @Test
  void eachBrokenZipIsSkippedWithItsReasonAndTheGoodOneStillStarts() throws Exception {
    Path good = PluginZip.plugin("fixture").extension(FixtureProvider.class).writeTo(dir, "a-good.zip");
    Path notZip = Files.writeString(dir.resolve("b-not-a-zip.zip"), "hello");
    Path noDescriptor = PluginZip.plugin("x").noDescriptor().extension(FixtureProvider.class).writeTo(dir, "c-no-descriptor.zip");
    Path noId = PluginZip.plugin("x").set("plugin.id", null).writeTo(dir, "d-no-id.zip");
    Path incompatible = PluginZip.plugin("future").set("plugin.requires", ">=99.0.0")
        .extension(FixtureProvider.class).writeTo(dir, "e-incompatible.zip");
    Path missingClass = PluginZip.plugin("ghost").set("plugin.class", "com.example.Missing").writeTo(dir, "f-missing-class.zip");
    Path throwing = PluginZip.plugin("thrower").set("plugin.class", ThrowingPlugin.class.getName())
        .withClass(ThrowingPlugin.class).extension(FixtureProvider.class).writeTo(dir, "g-throwing.zip");
    Path empty = PluginZip.plugin("empty").writeTo(dir, "h-no-provider.zip");
    Path duplicate = PluginZip.plugin("fixture").extension(FixtureProvider.class).writeTo(dir, "i-duplicate.zip");
    Path badRequires = PluginZip.plugin("garbled").set("plugin.requires", ">=one.two").writeTo(dir, "j-bad-requires.zip");

    try (PluginCatalog catalog = load(good, notZip, noDescriptor, noId, incompatible, missingClass, throwing, empty,
        duplicate, badRequires)) {
      Map<String, PluginReport> r = byZip(catalog);
      assertEquals(10, catalog.plugins().size());
      assertEquals(Outcome.STARTED, r.get("a-good.zip").outcome());
      assertTrue(catalog.provider("fixture").isPresent());

      assertReport(r.get("b-not-a-zip.zip"), Outcome.BROKEN, "not a readable zip");
      assertReport(r.get("c-no-descriptor.zip"), Outcome.BROKEN, "no plugin.properties at the top of the zip");
      assertReport(r.get("d-no-id.zip"), Outcome.BROKEN, "plugin.properties needs plugin.id and plugin.version (missing: plugin.id)");
      assertReport(r.get("e-incompatible.zip"), Outcome.INCOMPATIBLE, "it requires gateway version >=99.0.0; this gateway is 0.1.0");
      assertReport(r.get("f-missing-class.zip"), Outcome.FAILED, "plugin.class com.example.Missing is not in the zip");
      assertReport(r.get("g-throwing.zip"), Outcome.FAILED, "its plugin class failed to start: fixture plugin refuses to start");
      assertReport(r.get("h-no-provider.zip"), Outcome.FAILED, "it offers no provider");
      assertReport(r.get("i-duplicate.zip"), Outcome.SKIPPED, "plugin fixture is already loaded from " + good);
      assertReport(r.get("j-bad-requires.zip"), Outcome.BROKEN, "cannot be loaded");
      assertEquals("future", r.get("e-incompatible.zip").id(), "the id is known even when the plugin is refused");
      assertTrue(catalog.notStarted("future").isPresent());
      assertFalse(catalog.notStarted("fixture").isPresent());
    }
  }

  private static void assertReport(PluginReport r, Outcome outcome, String reasonPart) {
    assertEquals(outcome, r.outcome(), r.toString());
    assertTrue(r.reason() != null && r.reason().contains(reasonPart), r.toString());
    assertTrue(r.providers().isEmpty(), r.toString());
  }

  @Test
  void twoPluginsOfferingOneProviderNameKeepTheFirstAndABuiltInNameIsRefused() throws Exception {
    Path first = PluginZip.plugin("one").extension(FixtureProvider.class).writeTo(dir, "one.zip");
    Path second = PluginZip.plugin("two").extension(FixtureProvider.class).writeTo(dir, "two.zip");
    try (PluginCatalog catalog = load(first, second)) {
      assertEquals("one", catalog.provider("fixture").orElseThrow().plugin().id());
      PluginReport two = byZip(catalog).get("two.zip");
      assertEquals(Outcome.FAILED, two.outcome());
      assertTrue(two.reason().contains("provider \"fixture\" is already offered by plugin one (from " + first + ")"), two.reason());
    }
    try (PluginCatalog catalog = PluginCatalog.load(new PluginSources(List.of(), List.of(first)), "0.1.0", Set.of("fixture"))) {
      assertTrue(catalog.plugins().get(0).reason().contains("provider \"fixture\" is built into the gateway"));
      assertTrue(catalog.provider("fixture").isEmpty());
    }
  }

  @Test
  void aPluginBundlingItsOwnSpiStillGetsTheGatewaysCopy() throws Exception {
    Path zip = PluginZip.plugin("fixture").extension(FixtureProvider.class)
        .lib("vncgate-provider-spi.jar", TargetProvider.class).writeTo(dir, "bundles-spi.zip");
    try (PluginCatalog catalog = load(zip)) {
      assertEquals(Outcome.STARTED, catalog.plugins().get(0).outcome(), catalog.plugins().toString());
      // created and cast to the gateway's TargetProvider: a second copy would be "X cannot be cast to X"
      assertTrue(catalog.provider("fixture").orElseThrow().provider() instanceof TargetProvider);
    }
  }

  @Test
  void closeUnloadsThePluginsAndDeletesTheUnpackedCopies() throws Exception {
    Path zip = PluginZip.plugin("fixture").extension(FixtureProvider.class).writeTo(dir, "fixture.zip");
    PluginCatalog catalog = load(zip);
    PluginClassLoader loader = (PluginClassLoader) catalog.provider("fixture").orElseThrow().provider().getClass().getClassLoader();
    Path unpacked = Path.of(loader.getURLs()[0].toURI());
    assertTrue(Files.exists(unpacked));
    catalog.close();
    assertTrue(loader.isClosed());
    assertFalse(Files.exists(unpacked), "unpacked copy deleted");
    assertTrue(Files.exists(zip), "the zip itself stays");
    catalog.close();   // twice is harmless
  }

  @Test
  void noZipsMeansAnEmptyCatalog() {
    try (PluginCatalog catalog = load()) {
      assertTrue(catalog.plugins().isEmpty());
      assertTrue(catalog.provider("ssh").isEmpty());
    }
  }

  @Test
  void gatewayVersionIsComparedAsMajorMinorPatch() {
    assertEquals("0.1.0", PluginCatalog.systemVersion("0.1.0"));
    assertEquals("1.2.3", PluginCatalog.systemVersion("1.2.3-rc1"));
    assertEquals("0.0.0", PluginCatalog.systemVersion("dev"), "a dev build accepts every plugin");
  }

  @Test
  void zipEntriesPointingOutsideAreRefused() throws Exception {
    Path zip = PluginZip.plugin("evil").noDescriptor().entry("../escaped.txt", new byte[] {1}).writeTo(dir, "evil.zip");
    try (PluginCatalog catalog = load(zip)) {
      assertReport(catalog.plugins().get(0), Outcome.BROKEN, "points outside the plugin");
    }
    try (Stream<Path> files = Files.list(dir.getParent())) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().equals("escaped.txt")));
    }
  }
}
