package io.vncgate.gateway.cli;

import ch.qos.logback.classic.Level;
import io.vncgate.gateway.Version;
import io.vncgate.gateway.config.ConfigLoader;
import io.vncgate.gateway.config.GatewayConfig;
import io.vncgate.gateway.provider.plugin.ConfiguredProviders;
import io.vncgate.gateway.provider.plugin.ConfiguredProviders.Choice;
import io.vncgate.gateway.provider.plugin.PluginCatalog;
import io.vncgate.gateway.provider.plugin.PluginReport;
import io.vncgate.gateway.provider.plugin.PluginSources;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vncgate plugins [--config FILE]} (without it, {@link ConfigPath}): the plugins the gateway would load for this config — each
 * zip with its id, version, whether it started and its providers, or why not — and what serves
 * each configured provider. Providers are not started (no cloud APIs are called). Exit status 0
 * when every configured provider is available, 1 when one is not.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = {
    "List the provider plugins found for a config: id, version, zip, whether they started and",
    "the providers they offer, or why not; then what serves each key under providers:.",
    "Exit status 1 when a configured provider has no started plugin."})
final class PluginsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = {"The gateway's YAML config file.",
      "Default: the file named by $VNCGATE_CONFIG, else /etc/vncgate/vncgate.yaml if it exists."})
  Path config;

  /** Where the default config file lives, and the environment; tests point them elsewhere. */
  Path systemDefault = ConfigPath.SYSTEM_DEFAULT;
  Map<String, String> env = System.getenv();

  @Option(names = "--verbose", description = "Also show PF4J's own log lines.")
  boolean verbose;

  @Override
  public Integer call() {
    GatewayConfig cfg = ConfigLoader.load(ConfigPath.require(config, env, systemDefault));
    PrintWriter out = spec.commandLine().getOut();
    PluginSources sources = PluginSources.locate(cfg);
    Level pf4jLevel = verbose ? null : pf4jLevel(Level.OFF);
    try (PluginCatalog catalog = PluginCatalog.load(sources, Version.get(), ConfiguredProviders.builtInNames())) {
      out.println("vncgate " + Version.get() + ": plugins for " + cfg.file());
      for (int i = 0; i < sources.searched().size(); i++) {
        out.println((i == 0 ? "looked in: " : "           ") + sources.searched().get(i));
      }
      out.println();
      printPlugins(out, catalog.plugins());
      out.println();
      boolean allServed = printConfigured(out, ConfiguredProviders.match(cfg.providers(), catalog));
      out.flush();
      return allServed ? 0 : 1;
    } finally {
      if (!verbose) pf4jLevel(pf4jLevel);
    }
  }

  private static void printPlugins(PrintWriter out, List<PluginReport> plugins) {
    if (plugins.isEmpty()) {
      out.println("no plugin zips found");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"PLUGIN", "VERSION", "STATE", "PROVIDERS", "ZIP"});
    for (PluginReport p : plugins) {
      rows.add(new String[] {dash(p.id()), dash(p.version()), p.outcome().toString(),
          p.providers().isEmpty() ? "-" : String.join(",", p.providers()), p.source().toString()});
    }
    int[] widths = widths(rows);
    for (int i = 0; i < rows.size(); i++) {
      out.println(row(rows.get(i), widths));
      PluginReport p = i == 0 ? null : plugins.get(i - 1);
      if (p != null && p.reason() != null) out.println("  " + (p.started() ? "note: " : "why: ") + p.reason());
    }
  }

  private static boolean printConfigured(PrintWriter out, List<Choice> choices) {
    if (choices.isEmpty()) {
      out.println("the config names no providers (providers: is empty)");
      return true;
    }
    boolean allServed = true;
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"CONFIGURED", "SERVED BY"});
    for (Choice c : choices) {
      String servedBy;
      if (c instanceof ConfiguredProviders.BuiltIn) {
        servedBy = "built in";
      } else if (c instanceof ConfiguredProviders.FromPlugin p) {
        servedBy = "plugin " + p.found().plugin().id() + " " + p.found().plugin().version();
      } else if (c instanceof ConfiguredProviders.PluginNotStarted p) {
        servedBy = "NOTHING: plugin " + p.plugin().id() + " is " + p.plugin().outcome() + " (see above)";
        allServed = false;
      } else {
        servedBy = "NOTHING: " + ((ConfiguredProviders.Missing) c).reason();
        allServed = false;
      }
      rows.add(new String[] {"providers." + c.name(), servedBy});
    }
    int[] widths = widths(rows);
    rows.forEach(r -> out.println(row(r, widths)));
    return allServed;
  }

  private static int[] widths(List<String[]> rows) {
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
    }
    return w;
  }

  private static String row(String[] cells, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i == cells.length - 1) {
        b.append(cells[i]);
      } else {
        b.append(String.format("%-" + widths[i] + "s  ", cells[i]));
      }
    }
    return b.toString().stripTrailing();
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }

  /** Sets PF4J's log level (it logs every failure with a stack trace; the table already says it); returns the old one. */
  private static Level pf4jLevel(Level level) {
    if (!(LoggerFactory.getLogger("org.pf4j") instanceof ch.qos.logback.classic.Logger logger)) return null;
    Level previous = logger.getLevel();
    logger.setLevel(level);
    return previous;
  }
}
