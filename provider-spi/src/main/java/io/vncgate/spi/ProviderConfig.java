package io.vncgate.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A typed, read-only view of one config subtree (a YAML mapping) that names the full key in every
 * error, e.g. {@code providers.ssh.hosts[1].port: expected a whole number from 1 to 65535, got "x"}.
 */
public final class ProviderConfig {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private final String path;
  private final Map<String, Object> values;

  public ProviderConfig(String path, Map<String, ?> values) {
    this.path = path;
    this.values = values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The full key of this subtree, e.g. {@code providers.ssh}. */
  public String path() {
    return path;
  }

  /** The full key of a child, for error messages. */
  public String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public boolean has(String name) {
    return values.get(name) != null;
  }

  public Set<String> keys() {
    return values.keySet();
  }

  /**
   * Fails naming the first key that is not one of {@code known} (catches typos), with the closest
   * known key when one is near: {@code server.prot: unknown key — did you mean server.port? …}.
   */
  public ProviderConfig onlyKeys(String... known) {
    Set<String> allowed = Set.of(known);
    for (String k : values.keySet()) {
      if (!allowed.contains(k)) {
        String guess = closest(k, List.of(known)).map(c -> " — did you mean " + key(c) + "?").orElse("");
        throw new ProviderConfigException(key(k), "unknown key" + guess + " (the keys here: " + String.join(", ", known) + ")");
      }
    }
    return this;
  }

  /**
   * The candidate nearest to {@code word} by edits (insert, delete, replace, swap two neighbours;
   * case ignored) if it is near enough to be a typo of it: at most 1 edit for words of up to 4
   * letters, 2 up to 8, else a quarter of the length. Ties go to the first candidate.
   */
  public static Optional<String> closest(String word, Collection<String> candidates) {
    String w = word.toLowerCase(Locale.ROOT);
    int limit = w.length() <= 4 ? 1 : w.length() <= 8 ? 2 : w.length() / 4;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = editDistance(w, c.toLowerCase(Locale.ROOT));
      if (d <= limit && d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Damerau–Levenshtein distance, optimal string alignment variant. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  public String string(String name) {
    return optionalString(name).orElseThrow(() -> missing(name, "a text value"));
  }

  public String string(String name, String fallback) {
    return optionalString(name).orElse(fallback);
  }

  public Optional<String> optionalString(String name) {
    Object v = values.get(name);
    if (v == null) return Optional.empty();
    if (v instanceof Map || v instanceof List) throw wrong(name, "a text value", v);
    String s = String.valueOf(v);
    if (s.isBlank()) throw new ProviderConfigException(key(name), "must not be empty");
    return Optional.of(s);
  }

  public int integer(String name, int fallback, int min, int max) {
    Object v = values.get(name);
    if (v == null) return fallback;
    long n;
    if (v instanceof Number num && num.doubleValue() == num.longValue()) {
      n = num.longValue();
    } else {
      try {
        n = Long.parseLong(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        throw wrong(name, "a whole number from " + min + " to " + max, v);
      }
    }
    if (n < min || n > max) throw wrong(name, "a whole number from " + min + " to " + max, v);
    return (int) n;
  }

  public int port(String name, int fallback) {
    return integer(name, fallback, 1, 65535);
  }

  public boolean bool(String name, boolean fallback) {
    Object v = values.get(name);
    if (v == null) return fallback;
    if (v instanceof Boolean b) return b;
    String s = String.valueOf(v).trim().toLowerCase();
    if (s.equals("true") || s.equals("yes") || s.equals("on")) return true;
    if (s.equals("false") || s.equals("no") || s.equals("off")) return false;
    throw wrong(name, "true or false", v);
  }

  /** A duration such as {@code 30s}, {@code 15m}, {@code 500ms}, {@code 2h}; a bare number is seconds. */
  public Duration duration(String name, Duration fallback) {
    Object v = values.get(name);
    if (v == null) return fallback;
    Optional<Duration> d = parseDuration(String.valueOf(v));
    return d.orElseThrow(() -> wrong(name, "a duration like 30s, 15m, 500ms or 2h", v));
  }

  /** A size such as {@code 1048576}, {@code 64KiB}, {@code 1MiB}. */
  public long bytes(String name, long fallback, long min, long max) {
    Object v = values.get(name);
    if (v == null) return fallback;
    Matcher m = Pattern.compile("(\\d+)\\s*(B|KiB|KB|k|MiB|MB|M|GiB|GB|G)?").matcher(String.valueOf(v).trim());
    if (!m.matches()) throw wrong(name, "a size like 1048576, 64KiB or 1MiB", v);
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    long mult = switch (unit) {
      case "KiB", "KB", "k" -> 1024L;
      case "MiB", "MB", "M" -> 1024L * 1024;
      case "GiB", "GB", "G" -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    long total = n * mult;
    if (total < min || total > max) throw wrong(name, "a size from " + min + " to " + max + " bytes", v);
    return total;
  }

  public List<String> strings(String name) {
    Object v = values.get(name);
    if (v == null) return List.of();
    if (v instanceof String s) return List.of(s);
    if (!(v instanceof List<?> list)) throw wrong(name, "a list of text values", v);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      if (item == null || item instanceof Map || item instanceof List) {
        throw new ProviderConfigException(key(name) + "[" + i + "]", "expected a text value");
      }
      out.add(String.valueOf(item));
    }
    return List.copyOf(out);
  }

  public Optional<ProviderConfig> optionalSection(String name) {
    Object v = values.get(name);
    if (v == null) return Optional.empty();
    if (!(v instanceof Map<?, ?> m)) throw wrong(name, "a mapping (key: value lines)", v);
    return Optional.of(new ProviderConfig(key(name), castMap(m)));
  }

  /** A mapping child; absent means empty. */
  public ProviderConfig section(String name) {
    return optionalSection(name).orElseGet(() -> new ProviderConfig(key(name), Map.of()));
  }

  /** A list of mappings, each with its own indexed key path. */
  public List<ProviderConfig> sections(String name) {
    Object v = values.get(name);
    if (v == null) return List.of();
    if (!(v instanceof List<?> list)) throw wrong(name, "a list of mappings", v);
    List<ProviderConfig> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String k = key(name) + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> m)) throw new ProviderConfigException(k, "expected a mapping (key: value lines)");
      out.add(new ProviderConfig(k, castMap(m)));
    }
    return List.copyOf(out);
  }

  /** The raw values, for providers that map config themselves. */
  public Map<String, Object> asMap() {
    return values;
  }

  public ProviderConfigException missing(String name, String what) {
    return new ProviderConfigException(key(name), "missing; expected " + what);
  }

  public ProviderConfigException invalid(String name, String problem) {
    return new ProviderConfigException(key(name), problem);
  }

  public static Optional<Duration> parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) return Optional.empty();
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return Optional.of(switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofSeconds(n);
    });
  }

  private ProviderConfigException wrong(String name, String expected, Object got) {
    String shown = got instanceof Map ? "a mapping" : got instanceof List ? "a list" : "\"" + got + "\"";
    return new ProviderConfigException(key(name), "expected " + expected + ", got " + shown);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  @Override
  public String toString() {
    return "ProviderConfig[" + path + "]";
  }
}
