package io.vncgate.gateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What {@code vncgate status} found, layer by layer: one line each (ok, warn, problem or skipped)
 * and, for a layer that is not healthy, the problem, its detail and the commands to paste.
 */
final class StatusReport {
  enum State {
    OK("ok"), WARN("warn"), PROBLEM("problem"), SKIPPED("skipped");

    final String word;

    State(String word) {
      this.word = word;
    }
  }

  /** One layer's result; {@code problem}, {@code detail} and {@code rescue} for WARN and PROBLEM. */
  record Layer(String name, State state, String summary, String problem, String detail, List<String> rescue, JsonObject data) {
    static Layer ok(String name, String summary, JsonObject data) {
      return new Layer(name, State.OK, summary, null, null, List.of(), data);
    }

    static Layer skipped(String name, String why) {
      return new Layer(name, State.SKIPPED, why, null, null, List.of(), new JsonObject());
    }

    static Layer problem(String name, String summary, String problem, String detail, JsonObject data, String... rescue) {
      return new Layer(name, State.PROBLEM, summary, problem, detail, List.of(rescue), data);
    }

    static Layer warn(String name, String summary, String problem, String detail, JsonObject data, String... rescue) {
      return new Layer(name, State.WARN, summary, problem, detail, List.of(rescue), data);
    }
  }

  private final String gateway;
  private final List<Layer> layers = new ArrayList<>();

  StatusReport(String gateway) {
    this.gateway = gateway;
  }

  /** The order layers are shown in, whatever order they were checked in. */
  private static final List<String> ORDER = List.of("gateway", "tls", "token", "providers", "target", "sessions");

  /** Adds a layer, or replaces the one of the same name (a later, fuller check of it). */
  StatusReport add(Layer layer) {
    layers.removeIf(l -> l.name().equals(layer.name()));
    layers.add(layer);
    layers.sort(Comparator.comparingInt(l -> ORDER.indexOf(l.name())));
    return this;
  }

  List<Layer> layers() {
    return List.copyOf(layers);
  }

  boolean healthy() {
    return layers.stream().noneMatch(l -> l.state() == State.PROBLEM);
  }

  void printText(PrintWriter out) {
    out.println("vncgate status of " + gateway);
    for (Layer l : layers) {
      out.printf("%-8s %-10s %s%n", l.state().word, l.name(), l.summary());
      if (l.state() == State.PROBLEM || l.state() == State.WARN) {
        if (l.problem() != null) out.println("    problem: " + l.problem());
        if (l.detail() != null) out.println("    detail:  " + l.detail());
        for (String r : l.rescue()) out.println("    rescue:  " + r);
      }
    }
    out.println(healthy() ? "healthy" : "unhealthy: " + layers.stream().filter(l -> l.state() == State.PROBLEM)
        .map(Layer::name).toList());
  }

  JsonObject json() {
    JsonArray arr = new JsonArray();
    for (Layer l : layers) {
      JsonObject o = new JsonObject().put("layer", l.name()).put("state", l.state().word).put("summary", l.summary());
      if (l.problem() != null) o.put("problem", l.problem());
      if (l.detail() != null) o.put("detail", l.detail());
      if (!l.rescue().isEmpty()) o.put("rescue", new JsonArray(l.rescue()));
      if (l.data() != null && !l.data().isEmpty()) o.put("data", l.data());
      arr.add(o);
    }
    return new JsonObject().put("gateway", gateway).put("healthy", healthy()).put("layers", arr);
  }
}
