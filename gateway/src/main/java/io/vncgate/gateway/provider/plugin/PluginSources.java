package io.vncgate.gateway.provider.plugin;

import io.vncgate.gateway.config.ConfigException;
import io.vncgate.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the gateway looks for plugin zips, in this order:
 * <ol>
 *   <li>the folder {@code plugins.dir} from the config file; when that key is absent, the folder
 *       {@code plugins/} next to the config file, if it exists; else the installation's plugin folder,
 *       the system property {@value #INSTALL_PROPERTY} (the release tarball's {@code bin/vncgate} sets
 *       it to its {@code plugins/}, or to {@code $VNCGATE_PLUGINS}: {@code /plugins} in the container image);</li>
 *   <li>in a source checkout, {@code <dev>/*&#47;target/*.zip} where {@code <dev>} is the system
 *       property {@value #DEV_PROPERTY} — the {@code ./vncgate} launcher sets it to the repo's
 *       {@code providers/} folder, so plugins built by {@code mvn package} are found with no extra step.</li>
 * </ol>
 *
 * @param searched the places looked at, in words, for messages
 * @param zips the plugin zips found, in load order
 */
public record PluginSources(List<String> searched, List<Path> zips) {
  public static final String DEV_PROPERTY = "vncgate.dev.plugins";
  /** The installation's plugin folder, used when the config names none and has no plugins/ beside it. */
  public static final String INSTALL_PROPERTY = "vncgate.plugins.default";

  public PluginSources {
    searched = List.copyOf(searched);
    zips = List.copyOf(zips);
  }

  /** The sources for a gateway config; fails naming {@code plugins.dir} when that folder is missing. */
  public static PluginSources locate(GatewayConfig config) {
    return locate(config.pluginsDir(), config.file().getParent(), System.getProperty(DEV_PROPERTY),
        System.getProperty(INSTALL_PROPERTY));
  }

  static PluginSources locate(Path configured, Path configDir, String devProviders) {
    return locate(configured, configDir, devProviders, null);
  }

  static PluginSources locate(Path configured, Path configDir, String devProviders, String installed) {
    List<String> searched = new ArrayList<>();
    List<Path> zips = new ArrayList<>();
    if (configured != null) {
      if (!Files.isDirectory(configured)) {
        throw new ConfigException("plugins.dir: folder " + configured + " does not exist");
      }
      searched.add(configured + " (plugins.dir)");
      zips.addAll(zipsIn(configured));
    } else {
      Path beside = configDir.resolve("plugins");
      Path install = installed == null || installed.isBlank() ? null : Path.of(installed).toAbsolutePath().normalize();
      if (Files.isDirectory(beside)) {
        searched.add(beside + " (next to the config file)");
        zips.addAll(zipsIn(beside));
      } else if (install != null && Files.isDirectory(install)) {
        searched.add(beside + " (absent)");
        searched.add(install + " (the installation's plugins, " + INSTALL_PROPERTY + ")");
        zips.addAll(zipsIn(install));
      } else {
        searched.add(beside + " (absent; set plugins.dir to use another folder)");
      }
    }
    if (devProviders != null && !devProviders.isBlank()) {
      Path root = Path.of(devProviders).toAbsolutePath().normalize();
      searched.add(root.resolve("*").resolve("target").resolve("*.zip") + " (" + DEV_PROPERTY + ")");
      for (Path module : list(root)) {
        Path target = module.resolve("target");
        if (Files.isDirectory(target)) zips.addAll(zipsIn(target));
      }
    }
    return new PluginSources(searched, zips);
  }

  private static List<Path> zipsIn(Path folder) {
    return list(folder).stream()
        .filter(p -> p.getFileName().toString().endsWith(".zip") && !p.getFileName().toString().startsWith("."))
        .filter(Files::isRegularFile)
        .toList();
  }

  private static List<Path> list(Path folder) {
    if (!Files.isDirectory(folder)) return List.of();
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.toAbsolutePath().normalize()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }
}
