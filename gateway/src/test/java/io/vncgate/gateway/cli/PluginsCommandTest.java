package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.provider.plugin.fixture.FixtureProvider;
import io.vncgate.gateway.provider.plugin.fixture.ThrowingPlugin;
import io.vncgate.testbeds.PluginZip;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vncgate plugins --config FILE} lists what was found, loaded and started, or why not. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PluginsCommandTest {
  @TempDir
  Path dir;

  private record Run(int exit, String out) {}

  private Run plugins(String providersYaml) throws Exception {
    Files.writeString(dir.resolve("jwt.key"), "plugins-command-test-secret-0123456789-abc\n");
    Path config = Files.writeString(dir.resolve("vncgate.yaml"),
        "auth: {jwt: {secret-file: jwt.key}}\n" + providersYaml);
    StringWriter out = new StringWriter();
    int exit = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("plugins", "--config", config.toString());
    return new Run(exit, out.toString());
  }

  @Test
  void listsStartedIncompatibleBrokenAndFailedPluginsAndTheConfiguredProviders() throws Exception {
    Path plugins = dir.resolve("plugins");
    Path good = PluginZip.plugin("fixture").extension(FixtureProvider.class).writeTo(plugins, "a-fixture.zip");
    Path old = PluginZip.plugin("future").set("plugin.requires", ">=99.0.0").writeTo(plugins, "b-future.zip");
    Path broken = PluginZip.plugin("x").set("plugin.version", null).writeTo(plugins, "c-no-version.zip");
    Path thrower = PluginZip.plugin("thrower").set("plugin.class", ThrowingPlugin.class.getName())
        .withClass(ThrowingPlugin.class).writeTo(plugins, "d-thrower.zip");

    Run run = plugins("providers:\n  static: {}\n  fixture: {}\n  future: {}\n  nope: {}\n");

    String out = run.out();
    assertEquals(1, run.exit(), out);
    assertTrue(out.contains("looked in: " + plugins + " (next to the config file)"), out);
    assertTrue(out.matches("(?s).*\\nPLUGIN +VERSION +STATE +PROVIDERS +ZIP\\n.*"), out);
    assertTrue(out.matches("(?s).*\\nfixture +1\\.0\\.0 +started +fixture +" + good + "\\n.*"), out);
    assertTrue(out.matches("(?s).*\\nfuture +1\\.0\\.0 +incompatible +- +" + old
        + "\\n  why: it requires gateway version >=99\\.0\\.0; this gateway is 0\\.1\\.0\\n.*"), out);
    assertTrue(out.matches("(?s).*\\nx +- +broken +- +" + broken
        + "\\n  why: plugin\\.properties needs plugin\\.id and plugin\\.version \\(missing: plugin\\.version\\)\\n.*"), out);
    assertTrue(out.matches("(?s).*\\nthrower +1\\.0\\.0 +failed +- +" + thrower
        + "\\n  why: its plugin class failed to start: fixture plugin refuses to start\\n.*"), out);
    assertTrue(out.matches("(?s).*\\nproviders\\.static +built in\\n.*"), out);
    assertTrue(out.matches("(?s).*\\nproviders\\.fixture +plugin fixture 1\\.0\\.0\\n.*"), out);
    assertTrue(out.matches("(?s).*\\nproviders\\.future +NOTHING: plugin future is incompatible \\(see above\\)\\n.*"), out);
    assertTrue(out.contains("providers.nope     NOTHING: no provider named \"nope\": built in is static; "
        + "plugins found: fixture (from " + good + "), future (from " + old + ", incompatible), x (from " + broken
        + ", broken), thrower (from " + thrower + ", failed)"), out);
  }

  @Test
  void exitsZeroWhenEveryConfiguredProviderIsServed() throws Exception {
    PluginZip.plugin("fixture").extension(FixtureProvider.class).writeTo(dir.resolve("plugins"), "fixture.zip");
    Run run = plugins("providers:\n  fixture: {}\n");
    assertEquals(0, run.exit(), run.out());
  }

  @Test
  void saysSoWhenThereAreNoPlugins() throws Exception {
    Run run = plugins("providers:\n  static: {}\n");
    assertEquals(0, run.exit(), run.out());
    assertTrue(run.out().contains("no plugin zips found"), run.out());
    assertTrue(run.out().contains("looked in: " + dir.resolve("plugins") + " (absent; set plugins.dir to use another folder)"), run.out());
  }
}
