package io.vncgate.providers.kubevirt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An equality-based label selector as {@code kubectl -l} takes it: terms joined by commas (all must
 * hold), each {@code k=v}, {@code k==v}, {@code k!=v}, {@code k} (present) or {@code !k} (absent).
 * The API server filters the list by it; the provider checks it again for one VMI at resolve.
 * Set-based terms ({@code k in (a,b)}) are refused at start.
 */
final class Selector {
  private final List<Predicate<Map<String, String>>> terms;

  private Selector(List<Predicate<Map<String, String>>> terms) {
    this.terms = terms;
  }

  static Selector parse(String text) {
    List<Predicate<Map<String, String>>> terms = new ArrayList<>();
    for (String raw : text.split(",")) {
      String term = raw.trim();
      if (term.isEmpty()) throw new IllegalArgumentException("\"" + text + "\" has an empty term");
      if (term.contains("(") || term.contains(" in ") || term.contains(" notin ")) {
        throw new IllegalArgumentException("\"" + term + "\" is a set-based term; only k=v, k!=v, k and !k are"
            + " supported");
      }
      int ne = term.indexOf("!=");
      int eq = term.indexOf('=');
      if (ne > 0) {
        String k = key(term.substring(0, ne));
        String v = term.substring(ne + 2).trim();
        terms.add(labels -> !v.equals(labels.get(k)));
      } else if (eq > 0) {
        String k = key(term.substring(0, eq));
        String v = term.substring(term.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
        terms.add(labels -> v.equals(labels.get(k)));
      } else if (term.startsWith("!")) {
        String k = key(term.substring(1));
        terms.add(labels -> !labels.containsKey(k));
      } else {
        String k = key(term);
        terms.add(labels -> labels.containsKey(k));
      }
    }
    return new Selector(List.copyOf(terms));
  }

  boolean matches(Map<String, String> labels) {
    return terms.stream().allMatch(t -> t.test(labels));
  }

  private static String key(String raw) {
    String k = raw.trim();
    if (k.isEmpty() || !k.matches("[A-Za-z0-9._/-]+")) {
      throw new IllegalArgumentException("\"" + raw.trim() + "\" is not a label key");
    }
    return k;
  }
}
