package io.vncgate.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The release tarball as a user gets it: unpacked, its bin/vncgate run with its example config. */
@Timeout(180)
class ReleaseTarballIT {
  private static final Pattern LISTENING = Pattern.compile("vncgate is listening on (http://127\\.0\\.0\\.1:\\d+)/");
  @TempDir Path dir;

  @Test
  void holdsTheLauncherTheJarThePluginsAndTheExamples() throws Exception {
    Path home = Release.home();
    Path launcher = home.resolve("bin/vncgate");
    assertTrue(Files.getPosixFilePermissions(launcher).contains(PosixFilePermission.OTHERS_EXECUTE), "bin/vncgate is executable");
    assertTrue(Files.size(home.resolve("lib/vncgate.jar")) > 1_000_000, "the gateway jar");
    try (Stream<Path> zips = Files.list(home.resolve("plugins"))) {
      assertEquals(List.of("desktop", "docker", "kubevirt", "proxmox", "ssh"), zips
          .map(p -> p.getFileName().toString())
          .map(n -> n.replaceAll("^vncgate-provider-(.+)-" + Pattern.quote(Release.version()) + "\\.zip$", "$1"))
          .sorted().toList());
    }
    assertTrue(Files.getPosixFilePermissions(home.resolve("bin/vncgate-sdk-install")).contains(PosixFilePermission.OTHERS_EXECUTE),
        "bin/vncgate-sdk-install is executable");
    String v = Release.version();
    for (String file : List.of("vncgate-parent/" + v + "/vncgate-parent-" + v + ".pom",
        "vncgate-provider-spi/" + v + "/vncgate-provider-spi-" + v + ".jar", "vncgate-provider-spi/" + v + "/vncgate-provider-spi-" + v + ".pom",
        "vncgate-plugin-parent/" + v + "/vncgate-plugin-parent-" + v + ".pom",
        "vncgate-plugin-archetype/" + v + "/vncgate-plugin-archetype-" + v + ".jar",
        "vncgate-plugin-archetype/" + v + "/vncgate-plugin-archetype-" + v + ".pom")) {
      assertTrue(Files.isRegularFile(home.resolve("sdk/io/vncgate/" + file)), "sdk/io/vncgate/" + file);
    }
    assertEquals(Files.readString(Release.repo().resolve("plugin-parent/pom.xml")),
        Files.readString(home.resolve("sdk/io/vncgate/vncgate-plugin-parent/" + v + "/vncgate-plugin-parent-" + v + ".pom")));
    for (String file : List.of("README.md", "examples/vncgate.yaml",
        "extras/vncgate-provider-ssh-" + Release.version() + "-aws.zip", "systemd/vncgate.service", "docker/Dockerfile",
        "kubernetes/kustomization.yaml", "kubernetes/deployment.yaml", "kubernetes/service.yaml", "kubernetes/vncgate.yaml")) {
      assertTrue(Files.isRegularFile(home.resolve(file)), file);
    }
    // what is shipped is what is in the repo
    assertEquals(Files.readString(Release.repo().resolve("packaging/systemd/vncgate.service")),
        Files.readString(home.resolve("systemd/vncgate.service")));
  }

  @Test
  void versionThroughASymlinkedLauncher() throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("vncgate"), Release.home().resolve("bin/vncgate"));
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(60), List.of(link.toString(), "--version"));
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals("vncgate " + Release.version().replace("-SNAPSHOT", "") + "\n", r.stdout());
  }

  @Test
  void aWrongJavaHomeIsNamed() throws Exception {
    Release.Result r = Release.run(Map.of("JAVA_HOME", dir.resolve("no-java").toString()), Duration.ofSeconds(30),
        List.of(Release.home().resolve("bin/vncgate").toString(), "--version"));
    assertEquals(2, r.exitCode());
    assertEquals("vncgate: JAVA_HOME is " + dir.resolve("no-java") + " but " + dir.resolve("no-java/bin/java")
        + " is not there; fix JAVA_HOME or unset it\n", r.stderr());
  }

  @Test
  void theInstallationsPluginsAreFoundForTheExampleConfig() throws Exception {
    Path config = exampleConfig();
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(90),
        List.of(Release.home().resolve("bin/vncgate").toString(), "plugins", "--config", config.toString()));
    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    assertTrue(r.stdout().contains(Release.home().resolve("plugins") + " (the installation's plugins"), r.stdout());
    for (String id : List.of("desktop", "docker", "kubevirt", "proxmox", "ssh")) {
      assertTrue(Pattern.compile("(?m)^" + id + " +\\S+ +started ").matcher(r.stdout()).find(), id + ": " + r.stdout());
    }
  }

  /** serve with the example config named by VNCGATE_CONFIG (no --config): /healthz, /readyz, SIGTERM exits 0. */
  @Test
  void serveWithTheExampleConfigAnswersHealthAndStopsOnSigterm() throws Exception {
    Path config = exampleConfig();
    ProcessBuilder builder = new ProcessBuilder(Release.home().resolve("bin/vncgate").toString(), "serve")
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("VNCGATE_CONFIG", config.toString());
    builder.environment().put("JAVA_OPTS", "-Xmx256m");
    Process gateway = builder.start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    StringBuilder log = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) lines.add(line);
      } catch (Exception ignored) {
        // the process ended
      }
    });
    reader.start();
    try {
      String base = null;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (base == null && System.nanoTime() < end) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line == null) continue;
        log.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) base = m.group(1);
      }
      assertTrue(base != null, "serve did not say where it listens:\n" + log);
      var health = Release.awaitOk(base + "/healthz", Duration.ofSeconds(10));
      assertEquals("{\"status\":\"up\"}", health.body());
      var ready = Release.awaitOk(base + "/readyz", Duration.ofSeconds(10));
      assertTrue(ready.body().contains("\"ready\""), ready.body());
      // the lines after "listening" say how to get in, with the config VNCGATE_CONFIG chose
      for (String line; (line = lines.poll(2, TimeUnit.SECONDS)) != null && !log.toString().contains("mint a token"); ) {
        log.append(line).append('\n');
      }
      assertTrue(log.toString().contains("vncgate token --config " + config + " "), "the chosen config is named:\n" + log);
      gateway.destroy(); // SIGTERM: drain, then exit 0
      assertTrue(gateway.waitFor(60, TimeUnit.SECONDS), "serve stops on SIGTERM");
      assertEquals(0, gateway.exitValue(), "exit status after SIGTERM");
    } finally {
      gateway.destroyForcibly();
      reader.join(5_000);
    }
  }

  /**
   * A plugin author with only the tarball: bin/vncgate-sdk-install into an empty local repository, then the
   * guide's archetype:generate and package in a folder of its own, offline. Third-party artifacts come from
   * this build's local repository through a file:// mirror that holds everything but io/vncgate, so
   * vncgate's own artifacts can only come from the tarball's sdk/.
   */
  @Test
  @Timeout(600)
  void theSdkInstallsIntoALocalRepositoryAndBuildsAPluginFromTheArchetypeOffline() throws Exception {
    Path repo = dir.resolve("repo");
    Release.Result install = Release.run(Map.of(), Duration.ofSeconds(60),
        List.of(Release.home().resolve("bin/vncgate-sdk-install").toString(), repo.toString()));
    assertEquals(0, install.exitCode(), install.stdout() + install.stderr());
    assertTrue(install.stdout().contains("-DarchetypeVersion=" + Release.version() + " "), install.stdout());

    Path mirror = mirrorWithoutVncgate(Path.of(System.getProperty("vncgate.m2")), dir.resolve("mirror"));
    Path settings = Files.writeString(dir.resolve("settings.xml"), """
        <settings>
          <mirrors>
            <mirror><id>build-machine</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
          </mirrors>
        </settings>
        """.formatted(mirror.toUri()));
    Path work = Files.createDirectories(dir.resolve("work"));
    mvn(settings, repo, work, "org.apache.maven.plugins:maven-archetype-plugin:" + System.getProperty("vncgate.archetype-plugin")
        + ":generate", "-DarchetypeGroupId=io.vncgate", "-DarchetypeArtifactId=vncgate-plugin-archetype",
        "-DarchetypeVersion=" + Release.version(), "-DgroupId=com.example", "-DartifactId=lab-provider", "-Dversion=1.0.0",
        "-Dpackage=com.example.lab", "-DpluginId=lab");
    Path project = work.resolve("lab-provider");
    mvn(settings, repo, project, "package");

    Path zip = project.resolve("target/lab-provider-1.0.0.zip");
    Properties descriptor = new Properties();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      ZipEntry props = z.getEntry("plugin.properties");
      assertNotNull(props, "plugin.properties in " + zip);
      descriptor.load(z.getInputStream(props));
      assertNotNull(z.getEntry("classes/com/example/lab/ListProvider.class"), "the provider class in " + zip);
    }
    assertEquals("lab", descriptor.getProperty("plugin.id"));
    assertEquals("1.0.0", descriptor.getProperty("plugin.version"));
    // vncgate's artifacts in the local repository are the sdk's copies, none fetched from the mirror
    try (Stream<Path> files = Files.walk(repo.resolve("io/vncgate"))) {
      assertEquals(List.of(), files.filter(p -> p.getFileName().toString().equals("_remote.repositories")).toList());
    }
  }

  @Test
  void theSdkInstallNamesAFolderItCannotWrite() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(30),
        List.of(Release.home().resolve("bin/vncgate-sdk-install").toString(), file.toString()));
    assertEquals(2, r.exitCode(), r.stdout() + r.stderr());
    assertEquals("vncgate-sdk-install: cannot write to the local repository " + file
        + ": give a folder you can write, e.g. vncgate-sdk-install ~/.m2/repository\n", r.stderr());
  }

  /** A view of a local repository (symbolic links) without io/vncgate. */
  private static Path mirrorWithoutVncgate(Path m2, Path mirror) throws Exception {
    assertTrue(Files.isDirectory(m2.resolve("io")), "the build's local repository " + m2);
    Files.createDirectories(mirror.resolve("io"));
    try (Stream<Path> top = Files.list(m2)) {
      for (Path p : top.toList()) {
        if (!p.getFileName().toString().equals("io")) Files.createSymbolicLink(mirror.resolve(p.getFileName().toString()), p);
      }
    }
    try (Stream<Path> io = Files.list(m2.resolve("io"))) {
      for (Path p : io.toList()) {
        if (!p.getFileName().toString().equals("vncgate")) Files.createSymbolicLink(mirror.resolve("io").resolve(p.getFileName().toString()), p);
      }
    }
    return mirror;
  }

  /** Maven offline (the file:// mirror is allowed offline), with the given settings and local repository. */
  private static void mvn(Path settings, Path repo, Path in, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("mvn", "-B", "-o", "-Daether.offline.protocols=file",
        "-s", settings.toString(), "-Dmaven.repo.local=" + repo));
    command.addAll(List.of(args));
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(300), command, in);
    assertEquals(0, r.exitCode(), () -> String.join(" ", command) + " in " + in + " failed:\n" + r.stdout() + r.stderr());
  }

  /**
   * The tarball's examples/vncgate.yaml as shipped, in a folder of its own with the JWT secret it
   * names, on free ports (port 0) so tests can run side by side.
   */
  private Path exampleConfig() throws Exception {
    String example = Files.readString(Release.home().resolve("examples/vncgate.yaml"));
    String text = example.replace("  port: 6080\n", "  port: 0\n").replace("    port: 6900\n", "    port: 0\n");
    assertTrue(!text.equals(example) && !text.contains("6900\n"), "the example's ports moved: " + text);
    Path config = Files.createDirectories(dir.resolve("conf")).resolve("vncgate.yaml");
    Files.writeString(config, text);
    Files.writeString(dir.resolve("conf/jwt.key"), "release-tarball-test-secret-0123456789abcdef\n");
    return config;
  }
}
