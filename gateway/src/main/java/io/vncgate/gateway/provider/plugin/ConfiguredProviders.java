package io.vncgate.gateway.provider.plugin;

import io.vncgate.gateway.provider.StaticProvider;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.TargetProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Which provider serves each key under {@code providers:} in the config: one built into the
 * gateway, one from a started plugin, one whose plugin (same id as the provider's name) did not
 * start, or none at all — a start-up error that names the key and lists what there is.
 */
public final class ConfiguredProviders {
  private static final Map<String, Supplier<TargetProvider>> BUILT_IN = Map.of(StaticProvider.NAME, StaticProvider::new);

  /** What serves one configured provider key. */
  public sealed interface Choice {
    String name();
  }

  /** A provider built into the gateway. */
  public record BuiltIn(String name) implements Choice {
    public TargetProvider create() {
      return BUILT_IN.get(name).get();
    }
  }

  /** A provider from a started plugin. */
  public record FromPlugin(String name, PluginCatalog.Found found) implements Choice {}

  /** The plugin that would serve it (its id is the provider's name) was found but did not start. */
  public record PluginNotStarted(String name, PluginReport plugin) implements Choice {}

  /** Nothing serves it: {@code reason} says what there is; {@link #message()} also names the key. */
  public record Missing(String name, String key, String reason) implements Choice {
    public String message() {
      return key + ": " + reason;
    }
  }

  private ConfiguredProviders() {}

  public static Set<String> builtInNames() {
    return BUILT_IN.keySet();
  }

  /** One choice per key of {@code providers}, in config order. */
  public static List<Choice> match(ProviderConfig providers, PluginCatalog catalog) {
    List<Choice> out = new ArrayList<>();
    for (String name : providers.keys()) {
      out.add(choose(name, providers.key(name), catalog));
    }
    return out;
  }

  private static Choice choose(String name, String key, PluginCatalog catalog) {
    if (BUILT_IN.containsKey(name)) return new BuiltIn(name);
    Optional<PluginCatalog.Found> found = catalog.provider(name);
    if (found.isPresent()) return new FromPlugin(name, found.get());
    Optional<PluginReport> failed = catalog.notStarted(name);
    if (failed.isPresent()) return new PluginNotStarted(name, failed.get());
    return new Missing(name, key, "no provider named \"" + name + "\": built in is "
        + String.join(", ", BUILT_IN.keySet().stream().sorted().toList()) + "; plugins found: " + found(catalog));
  }

  private static String found(PluginCatalog catalog) {
    if (catalog.plugins().isEmpty()) {
      return "none (looked in " + String.join(", ", catalog.sources().searched()) + ")";
    }
    return catalog.plugins().stream().map(p -> {
      if (p.id() == null) return p.source() + " (" + p.outcome() + ")";
      String what = p.started()
          ? (p.providers().equals(List.of(p.id())) ? "" : ", provides " + String.join(", ", p.providers()))
          : ", " + p.outcome();
      return p.id() + " (from " + p.source() + what + ")";
    }).collect(Collectors.joining(", "));
  }
}
