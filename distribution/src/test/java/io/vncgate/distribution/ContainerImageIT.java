package io.vncgate.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vncgate.testbeds.Framebuffer;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import io.vncgate.testbeds.VncPasswd;
import io.vncgate.testbeds.docker.DesktopImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/docker/Dockerfile built from the unpacked release tarball on a base made from this
 * machine's own Java (the test JVM's; no registry is reachable: {@code docker import} of a folder, the stand-in
 * for eclipse-temurin:17-jre), then run the way the Kubernetes manifests run it (non-root,
 * read-only root, no capabilities): /healthz, /readyz, Docker's HEALTHCHECK, and a native viewer
 * through it to Xvnc in another container, with the gateway doing the VNC login.
 * Without a Docker engine the tests are skipped, saying so.
 */
@Timeout(300)
class ContainerImageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASE_SCRIPT = "build-jre-base.sh";
  /** The Java running this test (17 here; the image needs 17 or newer) is the base image's Java. */
  private static final Path JAVA_17 = Path.of(System.getProperty("java.home"));
  private static String image;
  private final List<String> containers = new ArrayList<>();
  @TempDir Path dir;

  @BeforeAll
  static void buildTheImage() throws Exception {
    String noEngine = noEngine();
    if (noEngine != null) System.out.println("ContainerImageIT skipped: " + noEngine);
    assumeTrue(noEngine == null, noEngine);
    String base = ensureBase();
    image = "vncgate-test/vncgate:" + UUID.randomUUID().toString().substring(0, 8);
    Release.Result r = Release.run(Map.of(), Duration.ofMinutes(4), List.of("docker", "build", "-q",
        "--build-arg", "BASE=" + base, "-f", Release.home().resolve("docker/Dockerfile").toString(), "-t", image,
        Release.home().toString()));
    assertEquals(0, r.exitCode(), "docker build: " + r.stdout() + r.stderr());
  }

  @AfterAll
  static void removeTheImage() throws Exception {
    if (image != null) Release.run(Map.of(), Duration.ofSeconds(60), List.of("docker", "rmi", "-f", image));
  }

  @AfterEach
  void removeContainers() throws Exception {
    for (String id : containers) Release.run(Map.of(), Duration.ofSeconds(60), List.of("docker", "rm", "-f", "-v", id));
  }

  /** Why no engine can be used here, or null when `docker info` answers. */
  private static String noEngine() throws Exception {
    if (Files.notExists(Path.of("/usr/bin/docker")) && Files.notExists(Path.of("/usr/local/bin/docker"))) {
      return "no docker command (Debian package docker.io, see .ci/install-deps)";
    }
    Release.Result info = Release.run(Map.of(), Duration.ofSeconds(30), List.of("docker", "info", "--format", "{{.ServerVersion}}"));
    return info.exitCode() == 0 ? null : "no Docker engine answers (" + info.stderr().strip() + ")";
  }

  /** The JRE base image, built once per machine and kept under a tag with the recipe's hash. */
  private static String ensureBase() throws Exception {
    byte[] recipe;
    try (InputStream in = ContainerImageIT.class.getResourceAsStream(BASE_SCRIPT)) {
      recipe = in.readAllBytes();
    }
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(recipe);
    Path release = JAVA_17.resolve("release");
    sha.update(Files.isRegularFile(release) ? Files.readAllBytes(release) : JAVA_17.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String tag = "vncgate-test/jre17-base:" + HexFormat.of().formatHex(sha.digest(), 0, 6);
    try (FileChannel lockFile = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "vncgate-jre-base.lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock lock = lockFile.lock()) {
      if (Release.run(Map.of(), Duration.ofSeconds(30), List.of("docker", "image", "inspect", tag)).exitCode() != 0) {
        Path script = Files.createTempFile("vncgate-build-jre-base-", ".sh");
        try {
          Files.write(script, recipe);
          Release.Result r = Release.run(Map.of(), Duration.ofMinutes(4), List.of("bash", script.toString(), JAVA_17.toString(), tag));
          assertEquals(0, r.exitCode(), "building the JRE base image: " + r.stderr());
        } finally {
          Files.deleteIfExists(script);
        }
      }
    }
    return tag;
  }

  private String docker(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(120), command);
    assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
    return r.stdout().strip();
  }

  private String bridgeAddress(String id) throws Exception {
    return docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", id);
  }

  private void awaitLog(String id, String text, Duration within) throws Exception {
    long end = System.nanoTime() + within.toNanos();
    Release.Result logs = null;
    while (System.nanoTime() < end) {
      logs = Release.run(Map.of(), Duration.ofSeconds(30), List.of("docker", "logs", id));
      if ((logs.stdout() + logs.stderr()).contains(text)) return;
      Thread.sleep(200);
    }
    throw new AssertionError(id + " did not log \"" + text + "\" within " + within + ":\n" + (logs == null ? "" : logs.stdout() + logs.stderr()));
  }

  @Test
  void theImageRunsAsAUserWithItsVolumesPortsAndHealthCheck() throws Exception {
    JsonNode config = JSON.readTree(docker("image", "inspect", "-f", "{{json .Config}}", image));
    assertEquals("10001:10001", config.path("User").asText());
    Set<String> volumes = new HashSet<>();
    config.path("Volumes").fieldNames().forEachRemaining(volumes::add);
    assertEquals(Set.of("/etc/vncgate", "/plugins"), volumes);
    Set<String> ports = new HashSet<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    assertEquals(Set.of("6080/tcp", "6900/tcp"), ports);
    assertTrue(config.path("Healthcheck").path("Test").toString().contains("/healthz"), config.path("Healthcheck").toString());
    List<String> env = new ArrayList<>();
    config.path("Env").forEach(e -> env.add(e.asText()));
    assertTrue(env.contains("VNCGATE_CONFIG=/etc/vncgate/vncgate.yaml"), env.toString());
    assertTrue(env.contains("VNCGATE_PLUGINS=/plugins"), env.toString());
    assertEquals("vncgate " + Release.version().replace("-SNAPSHOT", ""), docker("run", "--rm", image, "--version"));
  }

  @Test
  void withoutAConfigItSaysWhereToPutIt() throws Exception {
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(120), List.of("docker", "run", "--rm", image));
    assertEquals(2, r.exitCode(), r.stdout() + r.stderr());
    assertTrue(r.stderr().contains("vncgate: config file /etc/vncgate/vncgate.yaml (from VNCGATE_CONFIG) does not exist: "
        + "create it, or set VNCGATE_CONFIG to your config file"), r.stderr());
  }

  @Test
  void aViewerReachesXvncInAnotherContainerThroughTheGatewayContainer() throws Exception {
    // the desktop: this machine's Xtigervnc in a container, VNC auth with a password only the gateway knows
    String password = "pk" + UUID.randomUUID().toString().substring(0, 6);
    Path passwd = VncPasswd.write(password + "\n", dir.resolve("passwd"));
    String desktop = docker("create", DesktopImage.ensure());
    containers.add(desktop);
    docker("cp", passwd.toString(), desktop + ":" + DesktopImage.PASSWORD_FILE);
    docker("start", desktop);
    awaitLog(desktop, "Listening for VNC connections", Duration.ofSeconds(30));

    // the gateway's config folder, mounted read-only at /etc/vncgate as a ConfigMap would be
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(etc.resolve("jwt.key"), "container-image-test-secret-0123456789abcdef\n");
    Files.writeString(etc.resolve("lab1.vncpass"), password + "\n");
    Files.writeString(etc.resolve("vncgate.yaml"), String.join("\n",
        "server:",
        "  host: 0.0.0.0",
        "  port: 6080",
        "  tcp: {enabled: true, host: 0.0.0.0, port: 6900}",
        "auth:",
        "  jwt: {secret-file: jwt.key}",
        "providers:",
        "  static:",
        "    targets:",
        "      - {id: lab1, host: " + bridgeAddress(desktop) + ", port: 5900, password-file: lab1.vncpass}",
        ""));
    // the image's user (10001) is not this test's: world-readable, as a ConfigMap's files are
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(etc, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (var files = Files.list(etc)) {
      for (Path f : files.toList()) Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }

    // as deployment.yaml runs it: image user, read-only root, a writable /tmp, no capabilities
    String gateway = docker("run", "-d", "--read-only", "--tmpfs", "/tmp:rw,exec,mode=1777", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges", "--health-interval", "1s",
        "-v", etc + ":/etc/vncgate:ro", image);
    containers.add(gateway);
    String at = bridgeAddress(gateway);
    String base = "http://" + at + ":6080";
    assertEquals("{\"status\":\"up\"}", Release.awaitOk(base + "/healthz", Duration.ofSeconds(90)).body());
    assertEquals("{\"status\":\"ready\",\"providers\":[\"static\"]}", Release.awaitOk(base + "/readyz", Duration.ofSeconds(30)).body());
    awaitHealthy(gateway);
    awaitLog(gateway, "relay on Netty's epoll transport", Duration.ofSeconds(5));

    // a token from the image's own CLI (same config, same key), a ticket from the API, a viewer on the TCP front
    String token = docker("exec", gateway, "/opt/vncgate/bin/vncgate", "token", "--config", "/etc/vncgate/vncgate.yaml",
        "--sub", "it", "--targets", "static/*", "--role", "control", "--ttl", "5m");
    HttpResponse<String> session = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"static/lab1\",\"role\":\"control\"}"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, session.statusCode(), session.body());
    String ticket = JSON.readTree(session.body()).path("ticket").asText();
    assertTrue(!ticket.isEmpty(), session.body());
    try (RfbTestClient viewer = RfbTestClient.connect(at, 6900)) {
      ServerInitInfo init = viewer.handshakeVncAuth(ticket);
      assertEquals(DesktopImage.WIDTH, init.width());
      assertEquals(DesktopImage.HEIGHT, init.height());
      Framebuffer screen = viewer.readFramebufferUpdateRaw();
      // Xvnc -retro draws X's grey weave: two colours side by side, a real screen and not a blank one
      Set<Integer> colours = new HashSet<>();
      for (int x = 0; x < 16; x++) colours.add(screen.rgb(x, 0));
      assertTrue(colours.size() >= 2, "the weave's colours: " + colours);
    }

    // docker stop sends SIGTERM: the gateway drains and exits 0
    docker("stop", "-t", "60", gateway);
    assertEquals("0", docker("inspect", "-f", "{{.State.ExitCode}}", gateway));
  }

  private void awaitHealthy(String id) throws Exception {
    String status = "";
    for (int i = 0; i < 100 && !status.equals("healthy"); i++) {
      status = docker("inspect", "-f", "{{.State.Health.Status}}", id);
      if (!status.equals("healthy")) Thread.sleep(200);
    }
    assertEquals("healthy", status, "Docker's HEALTHCHECK (GET /healthz with bash)");
  }
}
