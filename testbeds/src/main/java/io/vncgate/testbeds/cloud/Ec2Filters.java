package io.vncgate.testbeds.cloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The {@code Filter.N.Name} / {@code Filter.N.Value.M} parameters of an EC2 Query request:
 * filters are ANDed, the values of one filter ORed. Supports {@code tag:<key>}, {@code tag-key},
 * {@code instance-state-name} and {@code instance-id}.
 */
final class Ec2Filters {
  private final List<Predicate<Ec2Testbed.Instance>> filters;

  private Ec2Filters(List<Predicate<Ec2Testbed.Instance>> filters) {
    this.filters = filters;
  }

  static Ec2Filters parse(Map<String, String> form) {
    List<Predicate<Ec2Testbed.Instance>> out = new ArrayList<>();
    for (int n = 1; form.containsKey("Filter." + n + ".Name"); n++) {
      String name = form.get("Filter." + n + ".Name");
      List<String> values = new ArrayList<>();
      for (int m = 1; form.containsKey("Filter." + n + ".Value." + m); m++) {
        values.add(form.get("Filter." + n + ".Value." + m));
      }
      out.add(filter(name, List.copyOf(values)));
    }
    return new Ec2Filters(List.copyOf(out));
  }

  boolean matches(Ec2Testbed.Instance instance) {
    return filters.stream().allMatch(f -> f.test(instance));
  }

  private static Predicate<Ec2Testbed.Instance> filter(String name, List<String> values) {
    if (name.startsWith("tag:")) {
      String key = name.substring(4);
      return i -> values.contains(i.tags().get(key));
    }
    return switch (name) {
      case "tag-key" -> i -> values.stream().anyMatch(i.tags()::containsKey);
      case "instance-state-name" -> i -> values.contains(i.state());
      case "instance-id" -> i -> values.contains(i.id());
      default -> throw new IllegalArgumentException("The filter '" + name + "' is invalid");
    };
  }
}
