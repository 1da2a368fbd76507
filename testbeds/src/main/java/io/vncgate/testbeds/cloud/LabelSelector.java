package io.vncgate.testbeds.cloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Hetzner Cloud label selectors, the subset vncgate uses: terms joined by commas (AND), each
 * {@code k=v}, {@code k==v}, {@code k!=v}, {@code k} (present) or {@code !k} (absent).
 */
final class LabelSelector {
  private final List<Predicate<Map<String, String>>> terms;

  private LabelSelector(List<Predicate<Map<String, String>>> terms) {
    this.terms = terms;
  }

  static LabelSelector parse(String text) {
    List<Predicate<Map<String, String>>> terms = new ArrayList<>();
    for (String raw : text.split(",")) {
      String term = raw.trim();
      if (term.isEmpty()) continue;
      terms.add(parseTerm(term));
    }
    return new LabelSelector(List.copyOf(terms));
  }

  boolean matches(Map<String, String> labels) {
    return terms.stream().allMatch(t -> t.test(labels));
  }

  private static Predicate<Map<String, String>> parseTerm(String term) {
    int ne = term.indexOf("!=");
    if (ne > 0) {
      String k = key(term.substring(0, ne));
      String v = term.substring(ne + 2).trim();
      return labels -> !v.equals(labels.get(k));
    }
    int eq = term.indexOf('=');
    if (eq > 0) {
      String k = key(term.substring(0, eq));
      String v = term.substring(term.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
      return labels -> v.equals(labels.get(k));
    }
    if (term.startsWith("!")) {
      String k = key(term.substring(1));
      return labels -> !labels.containsKey(k);
    }
    String k = key(term);
    return labels -> labels.containsKey(k);
  }

  private static String key(String raw) {
    String k = raw.trim();
    if (k.isEmpty() || !k.matches("[A-Za-z0-9._/-]+")) {
      throw new IllegalArgumentException("bad label key in selector: " + raw);
    }
    return k;
  }
}
