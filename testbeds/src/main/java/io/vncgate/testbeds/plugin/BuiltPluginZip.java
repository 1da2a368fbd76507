package io.vncgate.testbeds.plugin;

import io.vncgate.spi.TargetProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;

/**
 * A provider plugin zip as its module's build made it (the path in the system property
 * {@code vncgate.plugin.zip}, set by the providers' surefire configuration): what it holds, the
 * checks every provider zip must pass, and the zip loaded by a real PF4J plugin manager. For the
 * provider plugins' own tests; failed checks throw {@link AssertionError}. (Needs {@code pf4j} and
 * {@code provider-spi} on the test classpath; testbeds has them as optional.)
 */
public final class BuiltPluginZip {
  /**
   * Libraries the gateway provides, never bundled: a bundled SPI or PF4J gives "X cannot be cast
   * to X", and the gateway's logging, Netty and Vert.x are the ones to use.
   */
  public static final List<String> PROVIDED = List.of("lib/pf4j-", "lib/vncgate-", "lib/slf4j-", "lib/logback-",
      "lib/junit-", "lib/netty-", "lib/vertx-");

  private final Path zip;
  private final Properties descriptor = new Properties();
  private final List<String> entries = new ArrayList<>();
  private final String extensionsIndex;

  private BuiltPluginZip(Path zip) throws IOException {
    this.zip = zip;
    try (ZipFile file = new ZipFile(zip.toFile())) {
      ZipEntry properties = file.getEntry("plugin.properties");
      if (properties == null) throw new AssertionError("no plugin.properties in " + zip);
      try (InputStream in = file.getInputStream(properties)) {
        descriptor.load(in);
      }
      file.stream().map(ZipEntry::getName).forEach(entries::add);
      ZipEntry index = file.getEntry("classes/META-INF/extensions.idx");
      if (index == null) throw new AssertionError("no classes/META-INF/extensions.idx in " + zip);
      try (InputStream in = file.getInputStream(index)) {
        extensionsIndex = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
  }

  /** The zip named by {@code vncgate.plugin.zip}; fails when the build did not make it. */
  public static BuiltPluginZip ofThisModule() {
    return of(Path.of(System.getProperty("vncgate.plugin.zip", "missing.zip")));
  }

  /** Another zip (a module that builds more than one); fails when it is not built. */
  public static BuiltPluginZip of(Path zip) {
    if (!Files.isRegularFile(zip)) throw new AssertionError("plugin zip not built: " + zip);
    try {
      return new BuiltPluginZip(zip);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path path() {
    return zip;
  }

  /** {@code plugin.properties}. */
  public Properties descriptor() {
    return descriptor;
  }

  /** Every entry's name. */
  public List<String> entries() {
    return List.copyOf(entries);
  }

  /** The names of the bundled jars ({@code lib/…}; not the folder entries). */
  public List<String> libs() {
    return entries.stream().filter(n -> n.startsWith("lib/") && !n.endsWith("/")).toList();
  }

  /**
   * The checks every provider zip passes: descriptor {@code plugin.id} and {@code plugin.requires
   * >=0.1.0} and a version, the provider's class compiled in and named in the extension index, only
   * {@code plugin.properties}, {@code classes/} and {@code lib/} at the root, and none of
   * {@link #PROVIDED} nor {@code moreProvided} bundled.
   */
  public BuiltPluginZip assertProviderLayout(String id, Class<? extends TargetProvider> provider, String... moreProvided) {
    check(id.equals(descriptor.getProperty("plugin.id")), "plugin.id is " + descriptor.getProperty("plugin.id"));
    check(">=0.1.0".equals(descriptor.getProperty("plugin.requires")),
        "plugin.requires is " + descriptor.getProperty("plugin.requires"));
    String version = descriptor.getProperty("plugin.version");
    check(version != null && version.matches("\\d+\\.\\d+\\.\\d+.*"), "plugin.version is " + version);
    String classFile = "classes/" + provider.getName().replace('.', '/') + ".class";
    check(entries.contains(classFile), "no " + classFile);
    check(extensionsIndex.contains(provider.getName()), "the extension index does not name " + provider.getName());
    check(entries.stream().allMatch(n -> n.equals("plugin.properties") || n.startsWith("classes/") || n.startsWith("lib/")),
        "nothing else at the root: " + entries);
    List<String> libs = libs();
    for (String p : Stream.concat(PROVIDED.stream(), Stream.of(moreProvided)).toList()) {
      check(libs.stream().noneMatch(n -> n.startsWith(p)), p + " must not be bundled: " + libs);
    }
    return this;
  }

  /** Fails unless a jar whose name starts with {@code lib/<prefix>} is bundled. */
  public BuiltPluginZip assertBundles(String prefix) {
    check(libs().stream().anyMatch(n -> n.startsWith("lib/" + prefix)), "lib/" + prefix + "* not bundled: " + libs());
    return this;
  }

  /**
   * The zip copied into {@code pluginsDir} and loaded and started by a real PF4J plugin manager
   * (system version 0.1.0), as the gateway does; the plugin must be {@code STARTED} and offer
   * exactly one {@link TargetProvider}, loaded by the plugin's class loader.
   */
  public Loaded load(Path pluginsDir, String id) throws IOException {
    Files.copy(zip, pluginsDir.resolve(zip.getFileName()));
    PluginManager manager = new DefaultPluginManager(pluginsDir);
    manager.setSystemVersion("0.1.0");
    manager.loadPlugins();
    manager.startPlugins();
    Loaded loaded = new Loaded(manager);
    try {
      check(manager.getPlugin(id) != null, "PF4J did not load plugin " + id);
      check(manager.getPlugin(id).getPluginState() == PluginState.STARTED,
          "plugin " + id + " is " + manager.getPlugin(id).getPluginState());
      List<TargetProvider> providers = manager.getExtensions(TargetProvider.class, id);
      check(providers.size() == 1, "plugin " + id + " offers " + providers.size() + " providers");
      loaded.provider = providers.get(0);
      check(loaded.provider.getClass().getClassLoader() != BuiltPluginZip.class.getClassLoader(),
          "the provider comes from the zip, not the test classpath");
      return loaded;
    } catch (RuntimeException | AssertionError e) {
      loaded.close();
      throw e;
    }
  }

  /** A plugin loaded by PF4J; closing stops and unloads it. */
  public static final class Loaded implements AutoCloseable {
    private final PluginManager manager;
    private TargetProvider provider;

    private Loaded(PluginManager manager) {
      this.manager = manager;
    }

    /** The plugin's one provider (not started). */
    public TargetProvider provider() {
      return provider;
    }

    @Override
    public void close() {
      manager.stopPlugins();
      manager.unloadPlugins();
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }
}
