package io.vncgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vncgate.gateway.e2e.GatewayHarness;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.WebSocketTcpBridge;
import io.vncgate.testbeds.XvncServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin author outside this repository, as docs/writing-a-provider.md tells it: a Maven
 * repository with only what a release offers (the SPI, vncgate-plugin-parent and the archetype,
 * installed from this build into a temp local repository; third-party artifacts come from the
 * build machine's repository through a file:// mirror, so no network), {@code mvn
 * archetype:generate} in a temp folder outside the reactor, {@code mvn -o package}, and the zip it
 * builds dropped into a real gateway's plugins/ folder, which opens a viewer to a real Xvnc. The
 * guide's whole-file snippets are the generated files, compared byte for byte.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ExternalPluginProjectTest {
  private static final Path REPO = Path.of(System.getProperty("vncgate.it.source", "..")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("vncgate.it.version", "0.1.0-SNAPSHOT");
  /** {@code <!-- file: lab-provider/PATH -->} then a fenced block: a whole file of the generated project. */
  private static final Pattern WHOLE_FILE = Pattern.compile("<!-- file: lab-provider/(\\S+) -->\\n```\\w*\\n(.*?)```", Pattern.DOTALL);

  @TempDir
  Path tmp;

  @Test
  void theArchetypesProjectBuildsOutsideTheRepositoryAndItsZipServesAViewer() throws Exception {
    Path m2 = Path.of(System.getProperty("vncgate.it.m2", System.getProperty("user.home") + "/.m2/repository"));
    assertTrue(Files.isDirectory(m2), "the build machine's local repository " + m2);
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Path settings = Files.writeString(tmp.resolve("settings.xml"), """
        <settings>
          <mirrors>
            <mirror><id>build-machine</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
          </mirrors>
        </settings>
        """.formatted(m2.toUri()));
    Mvn mvn = new Mvn(settings, repo);

    // what a release offers a plugin author: the SPI jar, the plugin parent and the archetype
    Path jars = Files.createDirectories(tmp.resolve("jars"));
    Path spiJar = jar(REPO.resolve("provider-spi/target/classes"), jars.resolve("spi.jar"));
    Path archetypeJar = jar(REPO.resolve("plugin-archetype/target/classes"), jars.resolve("archetype.jar"));
    Path installer = Files.writeString(tmp.resolve("installer.xml"), installerPom(Map.of(
        "spi", new Path[] {spiJar, REPO.resolve("provider-spi/pom.xml")},
        "root", new Path[] {REPO.resolve("pom.xml"), REPO.resolve("pom.xml")},
        "plugin-parent", new Path[] {REPO.resolve("plugin-parent/pom.xml"), REPO.resolve("plugin-parent/pom.xml")},
        "archetype", new Path[] {archetypeJar, REPO.resolve("plugin-archetype/pom.xml")})));
    mvn.run(tmp, "-f", installer.toString(), "validate");

    // the guide's one command, in a folder outside the reactor
    Path work = Files.createDirectories(tmp.resolve("work"));
    mvn.run(work, "org.apache.maven.plugins:maven-archetype-plugin:" + System.getProperty("vncgate.it.archetype-plugin", "3.4.1")
        + ":generate", "-DarchetypeGroupId=io.vncgate", "-DarchetypeArtifactId=vncgate-plugin-archetype",
        "-DarchetypeVersion=" + VERSION, "-DgroupId=com.example", "-DartifactId=lab-provider", "-Dversion=1.0.0",
        "-Dpackage=com.example.lab", "-DpluginId=lab");
    Path project = work.resolve("lab-provider");
    assertTrue(Files.isRegularFile(project.resolve("pom.xml")), "archetype:generate made no project");

    // the guide shows the generated files whole, as they are
    String guide = Files.readString(REPO.resolve("docs/writing-a-provider.md"));
    Map<String, String> shown = new LinkedHashMap<>();
    Matcher m = WHOLE_FILE.matcher(guide);
    while (m.find()) shown.put(m.group(1), m.group(2));
    assertEquals(List.of("pom.xml", "src/main/java/com/example/lab/ListProvider.java"), List.copyOf(shown.keySet()),
        "whole files shown in docs/writing-a-provider.md");
    for (Map.Entry<String, String> e : shown.entrySet()) {
      assertEquals(Files.readString(project.resolve(e.getKey())), e.getValue(),
          "docs/writing-a-provider.md shows lab-provider/" + e.getKey() + " other than archetype:generate makes it");
    }
    try (Stream<Path> files = Files.walk(project)) {
      assertEquals(2, files.filter(Files::isRegularFile).count(), "the generated project is the two files the guide shows");
    }

    // the first build fetches from the mirror into the temp repository; the second, offline, must be silent:
    // a plugin without libraries gets no "patterns were never triggered" (or any other) warning
    mvn.run(project, "package");
    deleteTree(project.resolve("target"));
    String output = mvn.run(project, "package");
    List<String> warnings = output.lines().filter(l -> l.contains("[WARNING]") || l.contains("[ERROR]")).toList();
    assertEquals(List.of(), warnings, "warnings building a plugin without libraries");

    Path zip = project.resolve("target/lab-provider-1.0.0.zip");
    List<String> entries = new ArrayList<>();
    Properties descriptor = new Properties();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      z.stream().map(ZipEntry::getName).forEach(entries::add);
      ZipEntry props = z.getEntry("plugin.properties");
      assertNotNull(props, "plugin.properties at the top of " + entries);
      descriptor.load(z.getInputStream(props));
    }
    assertEquals("lab", descriptor.getProperty("plugin.id"));
    assertEquals("1.0.0", descriptor.getProperty("plugin.version"));
    assertEquals(">=0.1.0", descriptor.getProperty("plugin.requires"));
    assertTrue(entries.contains("classes/com/example/lab/ListProvider.class"), entries.toString());
    assertTrue(entries.contains("classes/META-INF/extensions.idx"), entries.toString());
    assertFalse(entries.stream().anyMatch(n -> n.startsWith("lib/")), "no libraries, no lib/: " + entries);

    // the zip in a real gateway, a viewer through it to a real Xvnc
    try (XvncServer xvnc = XvncServer.builder().geometry(640, 400).password("l4b-desk").start()) {
      xvnc.setRootColor("#2e8b57");
      PluginZips.install(zip, tmp.resolve("gw/plugins"));
      try (GatewayHarness gw = GatewayHarness.in(tmp.resolve("gw")).handshakeTimeout("20s").yaml("""
          providers:
            lab:
              targets:
                - {id: desk, name: Desk, host: 127.0.0.1, port: %d, password-file: %s}
          """.formatted(xvnc.port(), xvnc.passwordFile())).start()) {
        JsonArray targets = gw.targets();
        assertEquals(1, targets.size(), targets.encode());
        assertEquals("lab/desk", targets.getJsonObject(0).getString("id"));
        assertEquals("Desk", targets.getJsonObject(0).getString("name"));
        try (WebSocketTcpBridge bridge = gw.bridge(gw.ticket("lab/desk"));
             RfbTestClient client = RfbTestClient.connect(bridge.host(), bridge.port())) {
          ServerInitInfo init = client.handshakeNone();   // the gateway did VNC auth with the password the plugin read
          assertEquals(640, init.width());
          assertEquals(400, init.height());
          assertEquals(0x2e8b57, client.awaitColour(320, 200, 0x2e8b57, Duration.ofSeconds(10)), "the desktop's colour arrives");
        }
      }
    }
  }

  @Test
  void thePluginParentPinsTheGatewaysVersions() throws Exception {
    // vncgate-plugin-parent has no parent (an outside project needs nothing else): its versions are copies
    Map<String, String> root = properties(REPO.resolve("pom.xml"));
    Map<String, String> plugin = properties(REPO.resolve("plugin-parent/pom.xml"));
    for (String key : List.of("pf4j.version", "slf4j.version", "junit.version", "surefire.version", "compiler.version",
        "jar.version", "assembly.version", "install.version", "resources.version", "dependency-plugin.version",
        "maven.compiler.release")) {
      assertEquals(root.get(key), plugin.get(key), key + " in plugin-parent/pom.xml and the root pom.xml");
    }
    assertEquals(VERSION, plugin.get("vncgate.version"), "vncgate.version in plugin-parent/pom.xml");
  }

  private static Map<String, String> properties(Path pom) throws IOException {
    String text = Files.readString(pom);
    String block = text.substring(text.indexOf("<properties>"), text.indexOf("</properties>"));
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("<([\\w.-]+)>([^<]*)</\\1>").matcher(block);
    while (m.find()) out.put(m.group(1), m.group(2));
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  /** A jar of a module's compiled classes: `mvn test` in the reactor packages no jars. */
  private static Path jar(Path classes, Path jar) throws IOException {
    assertTrue(Files.isDirectory(classes), classes + " is not built: run through the reactor");
    try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream out = new ZipOutputStream(file);
         Stream<Path> walk = Files.walk(classes)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new ZipEntry(classes.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  /** A pom whose validate phase runs install:install-file once per {file, pom}: one Maven start for all. */
  private static String installerPom(Map<String, Path[]> files) {
    StringBuilder executions = new StringBuilder();
    files.forEach((id, f) -> executions.append("""
        <execution><id>%s</id><phase>validate</phase><goals><goal>install-file</goal></goals>
          <configuration><file>%s</file><pomFile>%s</pomFile></configuration></execution>
        """.formatted(id, f[0], f[1])));
    return """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>local.test</groupId><artifactId>installer</artifactId><version>1</version><packaging>pom</packaging>
          <build><plugins><plugin>
            <groupId>org.apache.maven.plugins</groupId><artifactId>maven-install-plugin</artifactId><version>%s</version>
            <executions>%s</executions>
          </plugin></plugins></build>
        </project>
        """.formatted(System.getProperty("vncgate.it.install-plugin", "3.1.3"), executions);
  }

  /** Maven as the author runs it, offline: the only repository is the file:// mirror (allowed offline). */
  private record Mvn(Path settings, Path repo) {
    String run(Path dir, String... args) throws Exception {
      List<String> command = new ArrayList<>(List.of("mvn", "-B", "-o", "-Daether.offline.protocols=file",
          "-s", settings.toString(), "-Dmaven.repo.local=" + repo));
      command.addAll(List.of(args));
      Path log = Files.createTempFile(repo.getParent(), "mvn", ".log");
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 300 s:\n" + Files.readString(log));
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " in " + dir + " failed:\n" + output);
      return output;
    }
  }
}
