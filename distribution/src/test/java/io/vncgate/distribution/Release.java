package io.vncgate.distribution;

import io.vncgate.testbeds.impl.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The release tarball `mvn package` built (distribution/target), unpacked once per test JVM with tar. */
final class Release {
  private static Path unpacked;

  private Release() {}

  static String version() {
    return System.getProperty("vncgate.version");
  }

  static Path tarball() {
    String property = System.getProperty("vncgate.tarball");
    Path tarball = property == null ? null : Path.of(property);
    if (tarball == null || !Files.isRegularFile(tarball)) {
      throw new IllegalStateException("the release tarball is not built (" + property
          + "): run these tests through the reactor after package, e.g. mvn -pl gateway,distribution verify");
    }
    return tarball;
  }

  /** The checkout's root (for packaging/ as it is in the repo). */
  static Path repo() {
    return Path.of(System.getProperty("vncgate.repo")).toAbsolutePath().normalize();
  }

  /** vncgate-VERSION/ of the unpacked tarball. */
  static synchronized Path home() {
    if (unpacked != null) return unpacked;
    Path tarball = tarball();
    Path into = tarball.resolveSibling("it-unpacked");
    try {
      if (Files.exists(into)) Tools.check(Map.of(), null, Duration.ofSeconds(60), List.of("rm", "-rf", into.toString()));
      Files.createDirectories(into);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Tools.check(Map.of(), null, Duration.ofSeconds(120), List.of("tar", "-xzf", tarball.toString(), "-C", into.toString()));
    unpacked = into.resolve("vncgate-" + version());
    return unpacked;
  }

  /** GET, with the status and body; fails the test on a connection error. */
  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GET until it answers 200 or the time is up; the last answer (or error) in the failure. */
  static HttpResponse<String> awaitOk(String url, Duration within) throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    String last = "no answer";
    while (System.nanoTime() < end) {
      try {
        HttpResponse<String> r = get(url);
        if (r.statusCode() == 200) return r;
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError(url + " did not answer 200 within " + within + ": " + last);
  }

  record Result(int exitCode, String stdout, String stderr) {}

  /** Runs a command (any path, unlike Tools.run) to its end with extra environment; killed at the timeout. */
  static Result run(Map<String, String> env, Duration timeout, List<String> command) throws IOException, InterruptedException {
    return run(env, timeout, command, null);
  }

  /** The same in a working folder (null: this JVM's). */
  static Result run(Map<String, String> env, Duration timeout, List<String> command, Path in) throws IOException, InterruptedException {
    Path out = Files.createTempFile("vncgate-dist-", ".out");
    Path err = Files.createTempFile("vncgate-dist-", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      if (in != null) builder.directory(in.toFile());
      builder.environment().putAll(env);
      Process p = builder.start();
      if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
