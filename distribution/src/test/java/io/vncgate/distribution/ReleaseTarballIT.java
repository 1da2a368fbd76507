package io.vncgate.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
