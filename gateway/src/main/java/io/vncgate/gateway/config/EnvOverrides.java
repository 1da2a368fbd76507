package io.vncgate.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vncgate.gateway.config.ConfigKeys.Node;
import io.vncgate.gateway.config.ConfigKeys.Shape;
import io.vncgate.spi.ProviderConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Config keys set from the environment, over the file (docs/configuration.md, "From the
 * environment"): {@code VNCGATE_} and the key's path, its segments joined by {@code _}, a {@code -}
 * in a name written {@code _}, all upper case: {@code VNCGATE_SERVER_TCP_PORT=6901} sets
 * {@code server.tcp.port}. The names are matched against the keys {@link ConfigKeys} knows, so an
 * unknown {@code VNCGATE_} variable is an error (with "did you mean"), except the {@link #RESERVED}
 * ones, which are no config keys.
 */
final class EnvOverrides {
  static final String PREFIX = "VNCGATE_";

  /** {@code VNCGATE_} variables that are no config keys: read by the launcher, the CLI or the tests. */
  static final Set<String> RESERVED = Set.of(
      "VNCGATE_CONFIG", // the config file's path (vncgate serve)
      "VNCGATE_TOKEN", // a JWT for vncgate open
      "VNCGATE_DOCKERD_PIDFILE", // the docker provider's tests
      "VNCGATE_DEMO_DIR", // vncgate demo's working folder
      "VNCGATE_LOG_LEVEL", // the root log level (logback.xml)
      "VNCGATE_JAVA_OPTS", // JVM options for bin/vncgate
      "VNCGATE_PLUGINS", // the plugin folder bin/vncgate passes on (the container image's /plugins)
      "VNCGATE_HEALTH_PORT"); // the container image's HEALTHCHECK port

  private static final Pattern INDEX = Pattern.compile("\\d{1,4}");
  private static final YAMLMapper YAML = new YAMLMapper();

  /** Where each overridden key came from: key path (as errors name it) → variable name. */
  private final Map<String, String> sources = new LinkedHashMap<>();

  private EnvOverrides() {}

  /**
   * Applies the {@code VNCGATE_} variables of {@code env} to {@code file} (the parsed YAML), returning
   * a new tree; {@code file} is not changed.
   */
  static EnvOverrides apply(Map<String, Object> file, Map<String, String> env, Map<String, Object> out) {
    EnvOverrides o = new EnvOverrides();
    out.putAll(deepCopy(file));
    String secretEnv = env.getOrDefault("VNCGATE_AUTH_JWT_SECRET_ENV", String.valueOf(
        get(out, List.of("auth", "jwt", "secret-env"))));
    // indexed list items (NAME_0, NAME_1, …) are gathered per list, then set as one list
    Map<String, TreeMap<Integer, String>> indexed = new LinkedHashMap<>();
    Map<String, List<Object>> indexedPath = new LinkedHashMap<>();
    for (String name : new TreeMap<>(env).keySet()) {
      if (!name.startsWith(PREFIX) || RESERVED.contains(name) || name.equals(secretEnv)) continue;
      String value = env.get(name);
      Resolved r = o.resolve(name);
      if (r.index >= 0) {
        String listKey = keyOf(r.path);
        if (env.containsKey(name.substring(0, name.lastIndexOf('_')))) {
          throw new ConfigException(name + " and " + name.substring(0, name.lastIndexOf('_')) + " both set " + listKey
              + ": give the list either comma-separated in one variable or item by item (_0, _1, …)");
        }
        indexed.computeIfAbsent(listKey, k -> new TreeMap<>()).put(r.index, value);
        indexedPath.put(listKey, r.path);
        o.sources.put(listKey, name.substring(0, name.lastIndexOf('_')) + "_" + "<n>");
        continue;
      }
      String key = keyOf(r.path);
      o.sources.put(key, name);
      set(out, r.path, o.value(name, key, r.node, value));
    }
    indexed.forEach((key, items) -> {
      int expect = 0;
      for (int i : items.keySet()) {
        if (i != expect) {
          throw new ConfigException(o.sources.get(key).replace("<n>", Integer.toString(expect)) + " is not set but "
              + o.sources.get(key).replace("<n>", Integer.toString(i)) + " is (" + key + "): number the items from 0 without gaps");
        }
        expect++;
      }
      set(out, indexedPath.get(key), new ArrayList<>(items.values()));
    });
    return o;
  }

  /** The variable that set {@code key} or the key holding it (e.g. {@code server.allowed-origins} for {@code …[1]}); null if none. */
  String sourceOf(String key) {
    String best = null;
    String bestKey = "";
    for (var e : sources.entrySet()) {
      String k = e.getKey();
      boolean holds = key.equals(k) || key.startsWith(k + ".") || key.startsWith(k + "[");
      if (holds && k.length() > bestKey.length()) {
        best = e.getValue();
        bestKey = k;
      }
    }
    if (best != null && best.endsWith("<n>")) { // item by item: the item's own variable
      Matcher m = Pattern.compile("^\\[(\\d+)\\]").matcher(key.substring(bestKey.length()));
      best = m.find() ? best.replace("<n>", m.group(1)) : best.replace("_<n>", "_0, _1, …");
    }
    return best;
  }

  /** The key a variable sets, e.g. {@code server.tcp.port} for {@code VNCGATE_SERVER_TCP_PORT}. */
  static String keyFor(String variable) {
    Resolved r = new EnvOverrides().resolve(variable);
    return keyOf(r.path) + (r.index >= 0 ? "[" + r.index + "]" : "");
  }

  /** A variable's key path (names, and indexes into lists), its node, and a list item index (-1: none). */
  private record Resolved(List<Object> path, Node node, int index) {}

  private Resolved resolve(String name) {
    String[] words = name.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split("_", -1);
    Node node = ConfigKeys.root();
    List<Object> path = new ArrayList<>();
    int i = 0;
    while (i < words.length) {
      switch (node.shape) {
        case SECTION -> {
          Node next = null;
          int used = 0;
          for (Node child : node.children.values()) {
            String[] parts = child.name().split("-");
            if (parts.length > used && i + parts.length <= words.length
                && Arrays.equals(parts, Arrays.copyOfRange(words, i, i + parts.length))) {
              next = child;
              used = parts.length;
            }
          }
          if (next == null) throw unknown(name, path, node, words, i);
          path.add(next.name());
          node = next;
          i += used;
        }
        case OBJECTS -> {
          if (!INDEX.matcher(words[i]).matches()) throw unknown(name, path, node, words, i);
          path.add(Integer.parseInt(words[i]));
          node = node.items;
          i++;
        }
        case STRINGS -> {
          if (i == words.length - 1 && INDEX.matcher(words[i]).matches()) return new Resolved(path, node, Integer.parseInt(words[i]));
          throw unknown(name, path, node, words, i);
        }
        case MAPPING, OPEN -> throw new ConfigException(name + ": " + keyOf(path) + " holds "
            + (node.shape == Shape.OPEN ? "the providers' own keys, which the gateway does not know" : "keys of your own (target globs)")
            + ", so its parts cannot be named in a variable; set the whole of it as YAML flow text in "
            + envName(keyOf(path)) + " (e.g. '{…}'), or in the config file");
        default -> throw unknown(name, path, node, words, i);
      }
    }
    return new Resolved(path, node, -1);
  }

  private static ConfigException unknown(String name, List<Object> path, Node node, String[] words, int i) {
    String here = keyOf(path);
    String tried = String.join("-", Arrays.copyOfRange(words, i, words.length));
    StringBuilder m = new StringBuilder(name + " is not a config key: ");
    if (node.shape == Shape.SECTION) {
      m.append(here.isEmpty() ? "no key " + tried : here + " has no key " + tried);
      List<String> names = new ArrayList<>();
      collectEnvNames(node, names);
      String best = ProviderConfig.closest(name, names).orElse(null);
      if (best != null) m.append(" — did you mean ").append(best).append('?');
    } else {
      m.append(here).append(" takes one value and has no parts");
    }
    m.append(" (VNCGATE_ variables set config keys, see docs/configuration.md; names that are not keys: ")
        .append(String.join(", ", new TreeSet<>(RESERVED))).append(')');
    return new ConfigException(m.toString());
  }

  private static void collectEnvNames(Node node, List<String> out) {
    for (Node c : node.children.values()) {
      out.add(envName(c.path));
      if (c.shape == Shape.SECTION) collectEnvNames(c, out);
    }
  }

  /** {@code server.tcp.port} → {@code VNCGATE_SERVER_TCP_PORT}. */
  static String envName(String key) {
    return PREFIX + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /** The text of a variable as the value the key's reader takes. */
  private Object value(String name, String key, Node node, String text) {
    return switch (node.shape) {
      case STRINGS -> text.strip().startsWith("[") ? flow(name, key, text, List.class)
          : Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
      case OBJECTS -> flow(name, key, text, List.class);
      case SECTION, MAPPING, OPEN -> flow(name, key, text, Map.class);
      default -> text;
    };
  }

  /** YAML flow text ({@code [..]} or {@code {..}}); the text is never echoed (it may name credentials' files). */
  private static Object flow(String name, String key, String text, Class<?> type) {
    Object v;
    try {
      v = YAML.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      // the parser's words quote the text, so only where it failed
      String at = e.getLocation() == null ? "" : " (at character " + e.getLocation().getColumnNr() + ")";
      throw new ConfigException(key + " (set by " + name + "): not valid YAML flow text" + at
          + "; check its brackets, commas and quotes");
    }
    if (!type.isInstance(v)) {
      throw new ConfigException(key + " (set by " + name + "): expected " + (type == List.class
          ? "a list as YAML flow text, e.g. [{group: admins, targets: [\"static/*\"]}]" : "a mapping as YAML flow text, e.g. {key: value}"));
    }
    return v;
  }

  static String keyOf(List<Object> path) {
    StringBuilder b = new StringBuilder();
    for (Object seg : path) {
      if (seg instanceof Integer n) {
        b.append('[').append(n).append(']');
      } else {
        if (b.length() > 0) b.append('.');
        b.append(seg);
      }
    }
    return b.toString();
  }

  private static Object get(Map<String, Object> root, List<String> path) {
    Object cur = root;
    for (String seg : path) {
      if (!(cur instanceof Map<?, ?> m)) return null;
      cur = m.get(seg);
    }
    return cur;
  }

  @SuppressWarnings("unchecked")
  private static void set(Map<String, Object> root, List<Object> path, Object value) {
    Object cur = root;
    for (int i = 0; i < path.size(); i++) {
      Object seg = path.get(i);
      boolean last = i == path.size() - 1;
      Object next = i + 1 < path.size() ? path.get(i + 1) : null;
      if (cur instanceof Map<?, ?> m) {
        Map<String, Object> map = (Map<String, Object>) m;
        if (last) {
          map.put((String) seg, value);
          return;
        }
        Object child = map.get(seg);
        if (next instanceof Integer ? !(child instanceof List) : !(child instanceof Map)) {
          child = next instanceof Integer ? new ArrayList<>() : new LinkedHashMap<>();
          map.put((String) seg, child);
        }
        cur = child;
      } else {
        List<Object> list = (List<Object>) cur;
        int n = (Integer) seg;
        if (n > list.size()) {
          throw new ConfigException(keyOf(path.subList(0, i + 1)) + " (set from the environment): the list has "
              + list.size() + " item(s) before it, so a new item is numbered " + list.size());
        }
        if (n == list.size()) list.add(last ? value : new LinkedHashMap<String, Object>());
        if (last) {
          list.set(n, value);
          return;
        }
        if (!(list.get(n) instanceof Map)) list.set(n, new LinkedHashMap<String, Object>());
        cur = list.get(n);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T deepCopy(T v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), deepCopy(x)));
      return (T) out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(deepCopy(x)));
      return (T) out;
    }
    return v;
  }
}
