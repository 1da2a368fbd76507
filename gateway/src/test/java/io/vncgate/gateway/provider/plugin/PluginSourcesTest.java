package io.vncgate.gateway.provider.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where plugin zips are looked for: plugins.dir, else plugins/ next to the config, plus the dev build's zips. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PluginSourcesTest {
  @TempDir
  Path dir;

  private Path zip(Path folder, String name) throws Exception {
    Files.createDirectories(folder);
    return Files.writeString(folder.resolve(name), "zip");
  }

  @Test
  void configuredFolderIsSearchedForZipsOnly() throws Exception {
    Path folder = dir.resolve("elsewhere");
    Path b = zip(folder, "b.zip");
    Path a = zip(folder, "a.zip");
    zip(folder, "notes.txt");
    zip(folder, ".hidden.zip");
    zip(dir.resolve("plugins"), "ignored.zip");   // the default folder is not used when plugins.dir is set
    PluginSources s = PluginSources.locate(folder, dir, null);
    assertEquals(List.of(a, b), s.zips());
    assertEquals(List.of(folder + " (plugins.dir)"), s.searched());
  }

  @Test
  void missingConfiguredFolderNamesTheKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> PluginSources.locate(dir.resolve("nope"), dir, null));
    assertEquals("plugins.dir: folder " + dir.resolve("nope") + " does not exist", e.getMessage());
  }

  @Test
  void pluginsFolderNextToTheConfigIsTheDefault() throws Exception {
    Path z = zip(dir.resolve("plugins"), "ssh.zip");
    assertEquals(List.of(z), PluginSources.locate(null, dir, null).zips());
  }

  @Test
  void noPluginsFolderIsFineAndSaysWhereItLooked() {
    PluginSources s = PluginSources.locate(null, dir, null);
    assertTrue(s.zips().isEmpty());
    assertTrue(s.searched().get(0).startsWith(dir.resolve("plugins") + " (absent"), s.searched().toString());
  }

  @Test
  void devPropertyAddsTheZipsBuiltInEachModulesTarget() throws Exception {
    Path providers = dir.resolve("repo/providers");
    Path ssh = zip(providers.resolve("ssh/target"), "vncgate-provider-ssh-0.1.0-SNAPSHOT.zip");
    Path example = zip(providers.resolve("example/target"), "vncgate-provider-example-0.1.0-SNAPSHOT.zip");
    zip(providers.resolve("example/target/classes"), "deeper.zip");   // only target/*.zip
    Files.createDirectories(providers.resolve("unbuilt/src"));
    Path own = zip(dir.resolve("plugins"), "own.zip");
    PluginSources s = PluginSources.locate(null, dir, providers.toString());
    assertEquals(List.of(own, example, ssh), s.zips(), "the plugins folder first, then the dev build");
    assertTrue(s.searched().get(1).endsWith("(" + PluginSources.DEV_PROPERTY + ")"), s.searched().toString());
  }

  // the installation's folder (bin/vncgate of the release tarball, the container image)

  @Test
  void theInstallationsPluginsAreUsedWhenTheConfigHasNone() throws Exception {
    Path z = zip(dir.resolve("opt/vncgate/plugins"), "vncgate-provider-ssh-0.1.0.zip");
    Path etc = Files.createDirectories(dir.resolve("etc"));
    PluginSources s = PluginSources.locate(null, etc, null, dir.resolve("opt/vncgate/plugins").toString());
    assertEquals(List.of(z), s.zips());
    assertEquals(List.of(etc.resolve("plugins") + " (absent)",
        dir.resolve("opt/vncgate/plugins") + " (the installation's plugins, " + PluginSources.INSTALL_PROPERTY + ")"), s.searched());
  }

  @Test
  void theInstallationsPluginsGiveWayToTheConfigs() throws Exception {
    zip(dir.resolve("opt/plugins"), "installed.zip");
    Path own = zip(dir.resolve("plugins"), "own.zip");
    assertEquals(List.of(own), PluginSources.locate(null, dir, null, dir.resolve("opt/plugins").toString()).zips(),
        "plugins/ beside the config wins");
    Path folder = dir.resolve("elsewhere");
    Path configured = zip(folder, "configured.zip");
    assertEquals(List.of(configured), PluginSources.locate(folder, dir, null, dir.resolve("opt/plugins").toString()).zips(),
        "plugins.dir wins");
  }
}
