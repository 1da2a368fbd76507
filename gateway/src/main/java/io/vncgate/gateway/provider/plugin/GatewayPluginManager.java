package io.vncgate.gateway.provider.plugin;

import java.nio.file.Path;
import java.util.List;
import org.pf4j.BasePluginRepository;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.PluginRepository;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PropertiesPluginDescriptorFinder;
import org.pf4j.util.DirectoryFileFilter;

/**
 * PF4J as the gateway uses it: plugins are folders unpacked from zips into one work folder
 * ({@link PluginCatalog} does the unpacking), described by {@code plugin.properties}, every plugin
 * enabled (no {@code enabled.txt}/{@code disabled.txt}), and a plugin's class loader that takes the
 * SPI and SLF4J from the gateway even if a plugin bundles its own copy by mistake ({@code org.pf4j}
 * already comes from the gateway) — two copies of the SPI would give "X cannot be cast to X".
 */
final class GatewayPluginManager extends DefaultPluginManager {

  GatewayPluginManager(Path workDir, String systemVersion) {
    super(List.of(workDir));
    setSystemVersion(systemVersion);
    // a plugin whose dependencies are missing is left unresolved (and reported), not fatal to the rest
    setResolveRecoveryStrategy(ResolveRecoveryStrategy.IGNORE_PLUGIN_AND_CONTINUE);
  }

  @Override
  protected PluginDescriptorFinder createPluginDescriptorFinder() {
    return new PropertiesPluginDescriptorFinder();
  }

  @Override
  protected PluginRepository createPluginRepository() {
    return new BasePluginRepository(pluginsRoots, new DirectoryFileFilter());
  }

  @Override
  protected PluginStatusProvider createPluginStatusProvider() {
    return new PluginStatusProvider() {
      @Override
      public boolean isPluginDisabled(String pluginId) {
        return false;
      }

      @Override
      public void disablePlugin(String pluginId) {
        throw new UnsupportedOperationException("plugins are enabled by naming their provider in the config");
      }

      @Override
      public void enablePlugin(String pluginId) {
        // every plugin is enabled
      }
    };
  }

  @Override
  protected PluginLoader createPluginLoader() {
    return new DefaultPluginLoader(this) {
      @Override
      protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
        return new GatewayFirstClassLoader(pluginManager, descriptor, GatewayPluginManager.class.getClassLoader());
      }
    };
  }

  /** Plugin first for everything except the packages the gateway must supply. */
  static final class GatewayFirstClassLoader extends PluginClassLoader {
    private static final List<String> FROM_GATEWAY = List.of("io.vncgate.spi.", "org.slf4j.");

    GatewayFirstClassLoader(PluginManager manager, PluginDescriptor descriptor, ClassLoader parent) {
      super(manager, descriptor, parent, ClassLoadingStrategy.PDA);
    }

    @Override
    public Class<?> loadClass(String className) throws ClassNotFoundException {
      for (String prefix : FROM_GATEWAY) {
        if (className.startsWith(prefix)) return getParent().loadClass(className);
      }
      return super.loadClass(className);
    }
  }
}
