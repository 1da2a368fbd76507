package io.vncgate.gateway.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vncgate.gateway.config.ConfigKeys.Node;
import io.vncgate.gateway.config.ConfigKeys.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates docs/vncgate.schema.json (JSON Schema draft 2020-12, for editors) from the config
 * record tree ({@link ConfigKeys}: key names, types, enums), with each key's default and
 * description taken from its row in docs/configuration.md. Run by ConfigSchemaTest, which fails
 * when the committed file differs and writes it with {@code -Dvncgate.schema.write=true}.
 */
final class ConfigSchema {
  static final String DURATION_PATTERN = "^\\s*\\d+\\s*(ms|s|m|h|d)?\\s*$";
  static final String SIZE_PATTERN = "^\\s*\\d+\\s*(B|KiB|KB|k|MiB|MB|M|GiB|GB|G)?\\s*$";

  /** One documented key: where it was (section heading) and its table cells. */
  record DocRow(String key, String heading, String defaultCell, String meaning) {}

  private ConfigSchema() {}

  /**
   * The rows of the {@code | key | default | meaning |} tables of configuration.md with their full
   * keys: a table under {@code ## `server`} documents {@code server.*}; under a heading naming
   * several sections ({@code ## `plugins` and `ssh`}) the rows give the full key. Rows under
   * {@code ## `providers`} are the providers' own keys (not in the gateway's records) and are left out.
   */
  static Map<String, DocRow> docRows(String markdown) {
    Map<String, DocRow> rows = new LinkedHashMap<>();
    List<String> sections = List.of();
    String heading = "";
    boolean inTable = false;
    Pattern row = Pattern.compile("^\\| `([^`]+)` \\|(.*?)\\|(.*)\\|\\s*$");
    for (String line : markdown.split("\n")) {
      if (line.startsWith("## ")) {
        heading = line.substring(3).strip();
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("`([a-z-]+)`").matcher(heading);
        while (m.find()) names.add(m.group(1));
        sections = names;
        inTable = false;
        continue;
      }
      if (line.startsWith("| key | default | meaning |")) {
        inTable = true;
        continue;
      }
      if (!line.startsWith("|")) {
        inTable = false;
        continue;
      }
      if (!inTable || sections.isEmpty() || sections.contains("providers")) continue;
      Matcher m = row.matcher(line.replace("\\|", "\u0000"));
      if (!m.matches()) continue;
      String key = m.group(1);
      String full = null;
      for (String s : sections) if (key.startsWith(s + ".")) full = key;
      if (full == null) full = sections.get(0) + "." + key;
      rows.put(full, new DocRow(full, heading, m.group(2).replace('\u0000', '|').strip(), m.group(3).replace('\u0000', '|').strip()));
    }
    return rows;
  }

  /** The schema for the whole file. */
  static Map<String, Object> schema(Map<String, DocRow> docs) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    s.put("title", "vncgate configuration");
    s.put("description", "The gateway's YAML config file (docs/configuration.md). Generated from the config records by"
        + " ConfigSchemaTest; do not edit by hand. Keys under providers belong to the providers and are not described here.");
    s.putAll(node(ConfigKeys.root(), docs));
    return s;
  }

  private static Map<String, Object> node(Node n, Map<String, DocRow> docs) {
    Map<String, Object> s = new LinkedHashMap<>();
    DocRow doc = docs.get(n.path);
    if (doc != null) s.put("description", plain(doc.meaning()));
    switch (n.shape) {
      case SECTION -> {
        s.put("type", "object");
        Map<String, Object> props = new LinkedHashMap<>();
        n.children.forEach((name, child) -> props.put(name, node(child, docs)));
        s.put("properties", props);
        s.put("additionalProperties", false);
      }
      case STRING -> {
        s.put("type", "string");
        if (!n.values.isEmpty()) s.put("enum", n.values);
      }
      case INTEGER -> s.put("type", "integer");
      case BOOLEAN -> s.put("type", "boolean");
      case DURATION -> {
        s.put("type", List.of("string", "integer"));
        s.put("pattern", DURATION_PATTERN);
      }
      case SIZE -> {
        s.put("type", List.of("string", "integer"));
        s.put("pattern", SIZE_PATTERN);
      }
      case PATH -> {
        s.put("type", "string");
        s.put("minLength", 1);
      }
      case URL -> {
        s.put("type", "string");
        s.put("format", "uri");
      }
      case STRINGS -> {
        s.put("type", List.of("array", "string"));
        s.put("items", Map.of("type", "string"));
      }
      case OBJECTS -> {
        s.put("type", "array");
        s.put("items", node(n.items, Map.of()));
      }
      case MAPPING -> {
        s.put("type", "object");
        s.put("additionalProperties", node(n.items, Map.of()));
      }
      case OPEN -> s.put("type", "object");
      case ANY -> { }
    }
    if (doc != null) {
      Object d = defaultOf(n, doc.defaultCell());
      if (d != null) s.put("default", d);
    }
    return s;
  }

  /** A default cell that is one literal ({@code `30s`}, {@code `6080`}, {@code `[]`}) as a JSON value; else null (prose). */
  static Object defaultOf(Node n, String cell) {
    Matcher m = Pattern.compile("`([^`]*)`").matcher(cell);
    if (!m.matches()) return null;
    String v = m.group(1);
    try {
      return switch (n.shape) {
        case INTEGER -> Long.parseLong(v);
        case BOOLEAN -> v.equals("true") ? Boolean.TRUE : v.equals("false") ? Boolean.FALSE : null;
        case STRINGS, OBJECTS -> v.equals("[]") ? List.of() : null;
        case MAPPING, OPEN -> v.equals("{}") ? Map.of() : null;
        case SECTION -> null;
        default -> n.values.isEmpty() || n.values.contains(v) ? v : null;
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Markdown to plain text: links to their words, no backticks, no bold. */
  static String plain(String md) {
    return md.replaceAll("\\[([^\\]]+)\\]\\([^)]+\\)", "$1").replace("`", "").replace("**", "").replace("<br>", " ").strip();
  }

  static String json(Map<String, Object> schema) throws IOException {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(schema).replace("\r\n", "\n") + "\n";
  }

  /** The repository's root (the parent of the gateway module), found from the working folder. */
  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("docs/configuration.md"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("no docs/configuration.md above " + Path.of("").toAbsolutePath());
    return p;
  }

  static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
