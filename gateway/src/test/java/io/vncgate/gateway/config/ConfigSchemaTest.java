package io.vncgate.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/vncgate.schema.json is what {@link ConfigSchema} makes from the config records and
 * docs/configuration.md; every key of the records is documented there and every documented key is
 * in the records; the example configs validate against it. To write the schema after a change:
 * {@code mvn -B -o -pl provider-spi,gateway test -Dtest=ConfigSchemaTest -Dvncgate.schema.write=true}.
 */
class ConfigSchemaTest {
  private static final Path ROOT = ConfigSchema.repoRoot();
  private static final Path SCHEMA = ROOT.resolve("docs/vncgate.schema.json");
  private static final String HOW = "mvn -B -o -pl provider-spi,gateway test -Dtest=ConfigSchemaTest -Dvncgate.schema.write=true"
      + " -Dsurefire.failIfNoSpecifiedTests=false";

  private static Map<String, ConfigSchema.DocRow> docs() throws Exception {
    return ConfigSchema.docRows(ConfigSchema.read(ROOT.resolve("docs/configuration.md")));
  }

  @Test
  void everyKeyOfTheRecordsIsDocumentedAndEveryDocumentedKeyIsInTheRecords() throws Exception {
    Map<String, ConfigSchema.DocRow> docs = docs();
    List<String> problems = new ArrayList<>();
    for (ConfigKeys.Node leaf : ConfigKeys.root().leaves()) {
      if (leaf.shape == ConfigKeys.Shape.ANY) {
        problems.add(leaf.path + " has a Java type ConfigKeys cannot map to YAML: give its record component"
            + " @ConfigKey(as = \"string\"|\"strings\"|\"integer\"|…) or teach ConfigKeys.node the type");
      }
      if (leaf.shape == ConfigKeys.Shape.OPEN) continue; // providers: each provider's page documents its keys
      if (!docs.containsKey(leaf.path)) {
        String section = leaf.path.substring(0, leaf.path.indexOf('.') < 0 ? leaf.path.length() : leaf.path.indexOf('.'));
        problems.add(leaf.path + " is a key of the config records (ConfigKeys) but has no row in docs/configuration.md:"
            + " add `" + leaf.path.substring(section.length() + 1) + "` to the key | default | meaning table under ## `"
            + section + "`");
      }
    }
    for (ConfigSchema.DocRow row : docs.values()) {
      ConfigKeys.Node n = ConfigKeys.find(row.key());
      if (n == null) {
        problems.add(row.key() + " is documented in docs/configuration.md (under ## " + row.heading()
            + ") but is no key of the config records: add it to GatewayConfig (a component, or a @ConfigKey path) or remove the row");
      } else if (n.shape == ConfigKeys.Shape.SECTION) {
        problems.add(row.key() + " is documented in docs/configuration.md (under ## " + row.heading()
            + ") as one key, but the config records make it a section of " + n.children.keySet() + ": document those instead");
      }
    }
    if (!problems.isEmpty()) fail(problems.size() + " difference(s) between the config records and docs/configuration.md:\n  "
        + String.join("\n  ", problems));
  }

  @Test
  void theCommittedSchemaIsTheGeneratedOne() throws Exception {
    String generated = ConfigSchema.json(ConfigSchema.schema(docs()));
    if (Boolean.getBoolean("vncgate.schema.write")) {
      Files.writeString(SCHEMA, generated);
      System.out.println("wrote " + SCHEMA);
    }
    assertTrue(Files.exists(SCHEMA), SCHEMA + " is missing; make it with " + HOW);
    String committed = ConfigSchema.read(SCHEMA);
    if (!committed.equals(generated)) {
      String[] a = committed.split("\n");
      String[] b = generated.split("\n");
      int i = 0;
      while (i < Math.min(a.length, b.length) && a[i].equals(b[i])) i++;
      fail(SCHEMA + " is not what the config records and docs/configuration.md make; first difference at line " + (i + 1)
          + ":\n  committed: " + (i < a.length ? a[i].strip() : "(end)") + "\n  generated: " + (i < b.length ? b[i].strip() : "(end)")
          + "\nWrite it again with " + HOW);
    }
  }

  @Test
  void theExampleConfigsValidateAndTyposDoNot() throws Exception {
    Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(ConfigSchema.read(SCHEMA), InputFormat.JSON);
    List<Path> examples;
    try (Stream<Path> s = Files.walk(ROOT.resolve("examples"))) {
      examples = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
    assertFalse(examples.isEmpty());
    YAMLMapper yaml = new YAMLMapper();
    for (Path p : examples) {
      JsonNode config = yaml.readTree(p.toFile());
      List<Error> errors = schema.validate(config);
      assertEquals(List.of(), errors.stream().map(Error::toString).toList(), ROOT.relativize(p) + " does not validate");
      System.out.println("valid: " + ROOT.relativize(p));
    }
    // a typo, a wrong word and a wrong type are found by the schema as by the loader
    JsonNode bad = yaml.readTree("server: {prot: 7000, zero-copy: sometimes, tcp: {port: seventy}}\n"
        + "limits: {clipboard: {max-bytes: lots}}\nlogging: {format: xml}\n");
    List<String> messages = schema.validate(bad).stream().map(Error::toString).toList();
    assertTrue(messages.stream().anyMatch(m -> m.contains("prot")), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.contains("zero-copy")), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.contains("tcp.port") || m.contains("tcp/port")), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.contains("max-bytes")), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.contains("format")), messages.toString());
  }

  @Test
  void docRowsAreReadWithTheirSection() throws Exception {
    Map<String, ConfigSchema.DocRow> docs = docs();
    assertEquals("`6080`", docs.get("server.port").defaultCell());
    assertEquals("`10s`", docs.get("ssh.connect-timeout").defaultCell()); // a heading naming two sections
    assertTrue(docs.keySet().stream().noneMatch(k -> k.startsWith("providers.") || k.startsWith("websocket.")), docs.keySet().toString());
    assertEquals(6080L, ConfigSchema.defaultOf(ConfigKeys.find("server.port"), "`6080`"));
    assertEquals(null, ConfigSchema.defaultOf(ConfigKeys.find("limits.connections.max"), "half the open-file limit"));
  }
}
