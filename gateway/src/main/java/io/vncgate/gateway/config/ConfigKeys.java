package io.vncgate.gateway.config;

import io.vncgate.spi.ProviderConfig;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The config file's keys, found by walking the {@link GatewayConfig} record tree (see {@link ConfigKey}
 * for how a component becomes a key): one tree of {@link Node}s from the root. A key added to a
 * record appears here, and so in the JSON Schema, the environment overrides and "did you mean".
 */
public final class ConfigKeys {
  /** What a key holds. */
  public enum Shape {
    /** A mapping of known keys. */
    SECTION,
    STRING,
    INTEGER,
    BOOLEAN,
    /** {@code 30s}, {@code 15m}, {@code 500ms}; a bare number is seconds. */
    DURATION,
    /** {@code 1048576}, {@code 64KiB}, {@code 1MiB}. */
    SIZE,
    /** A file or folder, relative to the config file's folder. */
    PATH,
    URL,
    /** A list of strings (one string is a list of one). */
    STRINGS,
    /** A list of mappings ({@link Node#items}). */
    OBJECTS,
    /** A mapping from the user's own keys to values ({@link Node#items}). */
    MAPPING,
    /** A mapping whose keys the gateway does not know (the providers'). */
    OPEN,
    /** A type ConfigKeys cannot map (no {@link ConfigKey#as}): anything goes; ConfigSchemaTest names it. */
    ANY
  }

  /** One key: its full dotted path, what it holds, and for a section its children. */
  public static final class Node {
    public final String path;
    public final Shape shape;
    /** The words a string key takes; empty: any. */
    public final List<String> values;
    /** A section's keys, in the records' order. */
    public final Map<String, Node> children = new LinkedHashMap<>();
    /** OBJECTS: one item (a section with relative paths); MAPPING: one value. */
    public Node items;

    Node(String path, Shape shape, List<String> values) {
      this.path = path;
      this.shape = shape;
      this.values = values;
    }

    /** The last segment of the path. */
    public String name() {
      int dot = path.lastIndexOf('.');
      return dot < 0 ? path : path.substring(dot + 1);
    }

    /** Every leaf key under this node (itself if it is one), depth first. */
    public List<Node> leaves() {
      List<Node> out = new ArrayList<>();
      if (shape != Shape.SECTION) {
        out.add(this);
      } else {
        children.values().forEach(c -> out.addAll(c.leaves()));
      }
      return out;
    }

    @Override
    public String toString() {
      return path + " (" + shape.name().toLowerCase(Locale.ROOT) + ")";
    }
  }

  private static final Node ROOT = build();

  private ConfigKeys() {}

  /** The root section (path ""). */
  public static Node root() {
    return ROOT;
  }

  /** The node at a dotted path, or null. */
  public static Node find(String path) {
    Node n = ROOT;
    for (String seg : path.split("\\.")) {
      n = n.children.get(seg);
      if (n == null) return null;
    }
    return n;
  }

  private static Node build() {
    Node root = new Node("", Shape.SECTION, List.of());
    walk(GatewayConfig.class, "", Map.of(), root);
    return root;
  }

  /** Places the components of {@code type} under {@code base} (paths in annotations are from {@code root}). */
  private static void walk(Class<?> type, String base, Map<String, String> renames, Node root) {
    for (RecordComponent c : type.getRecordComponents()) {
      if (c.isAnnotationPresent(ConfigKey.None.class)) continue;
      ConfigKey ann = c.getAnnotation(ConfigKey.class);
      List<String> paths = ann != null && ann.value().length > 0 ? Arrays.asList(ann.value())
          : List.of(join(base, renames.getOrDefault(c.getName(), kebab(c.getName()))));
      for (String p : paths) place(root, p, c, ann);
    }
  }

  private static void place(Node root, String path, RecordComponent c, ConfigKey ann) {
    Node parent = section(root, path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "");
    String name = path.substring(path.lastIndexOf('.') + 1);
    Node existing = parent.children.get(name);
    Node node = existing != null ? existing : node(path, c.getType(), c.getGenericType(), c.getName(), ann);
    parent.children.put(name, node);
    if (node.shape == Shape.SECTION) {
      Map<String, String> renames = new LinkedHashMap<>();
      if (ann != null) {
        for (String r : ann.renames()) renames.put(r.substring(0, r.indexOf('=')), r.substring(r.indexOf('=') + 1));
      }
      walk(c.getType(), path, renames, root);
    }
  }

  /** The section at {@code path}, made where missing. */
  private static Node section(Node root, String path) {
    Node n = root;
    if (path.isEmpty()) return n;
    String sofar = "";
    for (String seg : path.split("\\.")) {
      sofar = join(sofar, seg);
      String p = sofar;
      n = n.children.computeIfAbsent(seg, k -> new Node(p, Shape.SECTION, List.of()));
    }
    return n;
  }

  private static Node node(String path, Class<?> type, Type generic, String component, ConfigKey ann) {
    List<String> values = ann != null && ann.values().length > 0 ? List.of(ann.values()) : List.of();
    if (ann != null && !ann.as().isEmpty()) return new Node(path, Shape.valueOf(ann.as().toUpperCase(Locale.ROOT)), values);
    if (type.isEnum()) {
      return new Node(path, Shape.STRING, Arrays.stream(type.getEnumConstants())
          .map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }
    if (type.isRecord()) return new Node(path, Shape.SECTION, List.of());
    if (type == ProviderConfig.class) return new Node(path, Shape.OPEN, List.of());
    if (type == String.class || type == byte[].class) return new Node(path, Shape.STRING, values);
    if (type == boolean.class || type == Boolean.class) return new Node(path, Shape.BOOLEAN, values);
    if (type == Duration.class) return new Node(path, Shape.DURATION, values);
    if (type == Path.class) return new Node(path, Shape.PATH, values);
    if (type == URI.class) return new Node(path, Shape.URL, values);
    if (type == int.class || type == long.class || type == Integer.class || type == Long.class) {
      return new Node(path, component.endsWith("Bytes") ? Shape.SIZE : Shape.INTEGER, values);
    }
    if (type == List.class && generic instanceof ParameterizedType pt && pt.getActualTypeArguments()[0] instanceof Class<?> item) {
      if (item == String.class) return new Node(path, Shape.STRINGS, values);
      if (item.isRecord()) {
        RecordComponent[] parts = item.getRecordComponents();
        if (ann != null && ann.mapping()) {
          Node n = new Node(path, Shape.MAPPING, List.of());
          n.items = node(path + ".*", parts[1].getType(), parts[1].getGenericType(), parts[1].getName(),
              parts[1].getAnnotation(ConfigKey.class));
          return n;
        }
        Node n = new Node(path, Shape.OBJECTS, List.of());
        Node item0 = new Node("", Shape.SECTION, List.of());
        walk(item, "", Map.of(), item0);
        n.items = item0;
        return n;
      }
    }
    // never fail here (this runs at every start): ConfigSchemaTest fails on it instead, naming the key
    return new Node(path, Shape.ANY, values);
  }

  private static String join(String base, String name) {
    return base.isEmpty() ? name : base + "." + name;
  }

  /** {@code handshakeTimeout} → {@code handshake-timeout}. */
  static String kebab(String camel) {
    StringBuilder b = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) {
        b.append('-').append(Character.toLowerCase(ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }
}
