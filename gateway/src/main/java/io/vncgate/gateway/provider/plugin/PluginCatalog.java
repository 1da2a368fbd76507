package io.vncgate.gateway.provider.plugin;

import io.vncgate.gateway.TempDirs;
import io.vncgate.gateway.provider.plugin.PluginReport.Outcome;
import io.vncgate.spi.TargetProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.pf4j.PropertiesPluginDescriptorFinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins found in {@link PluginSources}, loaded with PF4J: each zip is unpacked into a work
 * folder, checked (descriptor, {@code plugin.requires} against the gateway's version, plugin class),
 * loaded and started; the {@link TargetProvider} extensions of every started plugin are created
 * once and kept by name. A zip that fails at any step is skipped with its reason in
 * {@link #plugins()}; it never stops the others. {@link #close()} stops and unloads the plugins.
 *
 * <p>Blocking (file system, class loading, plugin code): call it off the event loop.
 */
public final class PluginCatalog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PluginCatalog.class);
  private static final Pattern PROVIDER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern RELEASE = Pattern.compile("^(\\d+\\.\\d+\\.\\d+)");

  /** A provider offered by a started plugin. */
  public record Found(TargetProvider provider, PluginReport plugin) {}

  private final PluginSources sources;
  private final List<PluginReport> plugins;
  private final Map<String, Found> providers;
  private final GatewayPluginManager manager;
  private final Path workDir;
  private boolean closed;

  private PluginCatalog(PluginSources sources, List<PluginReport> plugins, Map<String, Found> providers,
      GatewayPluginManager manager, Path workDir) {
    this.sources = sources;
    this.plugins = List.copyOf(plugins);
    this.providers = Map.copyOf(providers);
    this.manager = manager;
    this.workDir = workDir;
  }

  /**
   * Loads and starts every plugin in {@code sources}.
   *
   * @param gatewayVersion checked against each plugin's {@code plugin.requires}
   * @param builtIn provider names built into the gateway, which no plugin may take
   */
  public static PluginCatalog load(PluginSources sources, String gatewayVersion, Set<String> builtIn) {
    if (sources.zips().isEmpty()) return new PluginCatalog(sources, List.of(), Map.of(), null, null);
    Path work;
    try {
      work = TempDirs.create("vncgate-plugins-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder to unpack plugins into", e);
    }
    String systemVersion = systemVersion(gatewayVersion);
    GatewayPluginManager manager = new GatewayPluginManager(work, systemVersion);
    Map<String, PluginReport> loaded = new LinkedHashMap<>();
    List<PluginReport> reports = new ArrayList<>();
    int n = 0;
    for (Path zip : sources.zips()) {
      Path dir = work.resolve(String.format("%03d-%s", n++, zip.getFileName().toString().replaceAll("\\.zip$", "")));
      PluginReport r = loadOne(manager, zip, dir, systemVersion, loaded);
      if (r.outcome() == null) {
        loaded.put(r.id(), r);
      } else {
        reports.add(r);
      }
    }
    try {
      manager.startPlugins();   // a plugin whose start() throws is marked FAILED, the others go on
    } catch (RuntimeException e) {
      log.error("starting plugins failed: {}", words(e), e);
    }
    Map<String, Found> providers = new LinkedHashMap<>();
    for (PluginReport r : loaded.values()) {
      reports.add(started(manager, r, builtIn, providers));
    }
    reports.sort(Comparator.comparing(r -> sources.zips().indexOf(r.source())));
    return new PluginCatalog(sources, reports, providers, manager, work);
  }

  /** Unpacks, reads the descriptor and loads one zip; a report with a null outcome means "loaded". */
  private static PluginReport loadOne(GatewayPluginManager manager, Path zip, Path dir, String systemVersion,
      Map<String, PluginReport> loaded) {
    try {
      PluginUnzip.extract(zip, dir);
    } catch (IOException | RuntimeException e) {
      return new PluginReport(zip, null, null, Outcome.BROKEN, "not a readable zip: " + words(e), null);
    }
    if (!Files.isRegularFile(dir.resolve(PropertiesPluginDescriptorFinder.DEFAULT_PROPERTIES_FILE_NAME))) {
      return new PluginReport(zip, null, null, Outcome.BROKEN, "no plugin.properties at the top of the zip", null);
    }
    PluginDescriptor d;
    try {
      d = new PropertiesPluginDescriptorFinder().find(dir);
    } catch (RuntimeException e) {
      return new PluginReport(zip, null, null, Outcome.BROKEN, "plugin.properties cannot be read: " + words(e), null);
    }
    String id = blankToNull(d.getPluginId());
    String version = blankToNull(d.getVersion());
    if (id == null || version == null) {
      return new PluginReport(zip, id, version, Outcome.BROKEN,
          "plugin.properties needs plugin.id and plugin.version (missing: "
              + (id == null ? "plugin.id" + (version == null ? ", plugin.version" : "") : "plugin.version") + ")", null);
    }
    PluginReport first = loaded.get(id);
    if (first != null) {
      return new PluginReport(zip, id, version, Outcome.SKIPPED, "plugin " + id + " is already loaded from " + first.source(), null);
    }
    try {
      manager.loadPlugin(dir);
    } catch (RuntimeException | LinkageError e) {
      forget(manager, id);
      return new PluginReport(zip, id, version, Outcome.BROKEN, "cannot be loaded: " + words(e), null);
    }
    PluginWrapper plugin = manager.getPlugin(id);
    if (plugin.getPluginState() == PluginState.DISABLED) {
      forget(manager, id);
      return new PluginReport(zip, id, version, Outcome.INCOMPATIBLE, "it requires gateway version "
          + d.getRequires().trim() + "; this gateway is " + systemVersion, null);
    }
    String pluginClass = blankToNull(d.getPluginClass());
    if (pluginClass != null) {
      try {
        Class.forName(pluginClass, false, plugin.getPluginClassLoader());
      } catch (ClassNotFoundException e) {
        forget(manager, id);
        return new PluginReport(zip, id, version, Outcome.FAILED, "plugin.class " + pluginClass
            + " is not in the zip (classes/ or lib/*.jar)", null);
      } catch (LinkageError e) {
        forget(manager, id);
        return new PluginReport(zip, id, version, Outcome.FAILED, "plugin.class " + pluginClass
            + " cannot be loaded: " + words(e), null);
      }
    }
    return new PluginReport(zip, id, version, null, null, null);
  }

  /** The report of a loaded plugin after start: its providers, or why it offers none. */
  private static PluginReport started(GatewayPluginManager manager, PluginReport r, Set<String> builtIn,
      Map<String, Found> providers) {
    PluginWrapper plugin = manager.getPlugin(r.id());
    if (plugin.getPluginState() != PluginState.STARTED) {
      String why = plugin.getFailedException() != null
          ? "its plugin class failed to start: " + words(plugin.getFailedException())
          : "not started (state " + plugin.getPluginState() + "; are its plugin.dependencies present?)";
      forget(manager, r.id());
      return new PluginReport(r.source(), r.id(), r.version(), Outcome.FAILED, why, null);
    }
    Map<String, TargetProvider> mine = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    List<Class<? extends TargetProvider>> classes = List.of();
    try {
      classes = manager.getExtensionClasses(TargetProvider.class, r.id());
    } catch (RuntimeException | LinkageError e) {
      problems.add("its extensions cannot be listed: " + words(e));
    }
    for (Class<? extends TargetProvider> type : classes) {
      TargetProvider provider;
      String name;
      try {
        provider = manager.getExtensionFactory().create(type);
        name = provider.name();
      } catch (RuntimeException | LinkageError e) {
        problems.add("provider class " + type.getName() + " cannot be created: " + words(e));
        continue;
      }
      if (name == null || !PROVIDER_NAME.matcher(name).matches()) {
        problems.add("provider class " + type.getName() + " has an unusable name \"" + name
            + "\" (letters, digits, '.', '_', '-')");
      } else if (builtIn.contains(name)) {
        problems.add("provider \"" + name + "\" is built into the gateway; " + type.getName() + " is ignored");
      } else if (providers.containsKey(name) || mine.containsKey(name)) {
        problems.add("provider \"" + name + "\" is already offered by plugin "
            + (mine.containsKey(name) ? r.id() : providers.get(name).plugin().label()));
      } else {
        mine.put(name, provider);
      }
    }
    if (classes.isEmpty() && problems.isEmpty()) {
      problems.add("it offers no provider (no @Extension class implementing " + TargetProvider.class.getName()
          + " in classes/META-INF/extensions.idx)");
    }
    String reason = problems.isEmpty() ? null : String.join("; ", problems);
    PluginReport report = new PluginReport(r.source(), r.id(), r.version(),
        mine.isEmpty() ? Outcome.FAILED : Outcome.STARTED, reason, List.copyOf(mine.keySet()));
    mine.forEach((name, provider) -> providers.put(name, new Found(provider, report)));
    return report;
  }

  /** Every zip found, in load order, with what became of it. */
  public List<PluginReport> plugins() {
    return plugins;
  }

  public PluginSources sources() {
    return sources;
  }

  /** The provider of that name from a started plugin. */
  public Optional<Found> provider(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  /** The plugin with that id, when it was found but did not start (and no other zip with that id did). */
  public Optional<PluginReport> notStarted(String pluginId) {
    if (plugins.stream().anyMatch(p -> pluginId.equals(p.id()) && p.started())) return Optional.empty();
    return plugins.stream().filter(p -> pluginId.equals(p.id())).findFirst();
  }

  /** Stops and unloads every plugin and deletes the unpacked copies. Call after the providers stopped. */
  @Override
  public synchronized void close() {
    if (closed || manager == null) return;
    closed = true;
    try {
      manager.stopPlugins();
      manager.unloadPlugins();
    } catch (RuntimeException | LinkageError e) {
      log.warn("unloading plugins: {}", words(e));
    }
    TempDirs.deleteTree(workDir);
  }

  /** The version PF4J compares {@code plugin.requires} with: {@code major.minor.patch}, or "0.0.0" (accept all) in a dev build. */
  static String systemVersion(String gatewayVersion) {
    Matcher m = RELEASE.matcher(gatewayVersion == null ? "" : gatewayVersion);
    return m.find() ? m.group(1) : "0.0.0";
  }

  private static void forget(GatewayPluginManager manager, String id) {
    try {
      if (manager.getPlugin(id) != null) manager.unloadPlugin(id);
    } catch (RuntimeException | LinkageError e) {
      log.debug("unloading plugin {}: {}", id, e.toString());
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** An exception and its causes in words, without repeating a message. */
  static String words(Throwable e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
      String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
      if (parts.stream().noneMatch(p -> p.contains(m))) parts.add(m);
      if (t.getCause() == t) break;
    }
    return String.join(": ", parts);
  }
}
