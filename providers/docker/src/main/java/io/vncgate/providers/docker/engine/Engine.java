package io.vncgate.providers.docker.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Docker Engine API over its unix socket, through docker-java: the few calls the provider
 * makes, each blocking (run them on the provider's threads), each failure turned into a
 * {@link ProviderException} in words ({@link EngineErrors}).
 */
public final class Engine implements Closeable {
  /** The label that offers a container; only containers with it are ever listed or opened. */
  public static final String TARGET_LABEL = "vncgate.target";
  /** The most a VNC password file may hold (TigerVNC's is 8 or 16 bytes; a text file one line). */
  static final int MAX_PASSWORD_FILE_BYTES = 4096;
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(10);

  private final URI host;
  private final EngineErrors errors;
  private final DockerClient client;

  private Engine(URI host, Path socket, DockerClient client) {
    this.host = host;
    this.errors = new EngineErrors(host, socket);
    this.client = client;
  }

  /** A client for the socket; nothing is sent until the first call. */
  public static Engine connect(URI host, Path socket) {
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(host.toString())
        .withDockerTlsVerify(false)
        .build();
    ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
        .dockerHost(host)
        .maxConnections(16)
        .connectionTimeout(Duration.ofSeconds(3))
        .responseTimeout(Duration.ofSeconds(15))
        .build();
    return new Engine(host, socket, DockerClientImpl.getInstance(config, http));
  }

  public URI host() {
    return host;
  }

  /** The engine's version, e.g. "20.10.24+dfsg1 (API 1.41)"; fails in words when it does not answer. */
  public String version() {
    return call("ask for its version", () -> {
      var v = client.versionCmd().exec();
      return v.getVersion() + " (API " + v.getApiVersion() + ")";
    });
  }

  /** The running containers labelled {@code vncgate.target=true}. */
  public List<Container> desktops() {
    return call("list its containers", () -> client.listContainersCmd()
        .withLabelFilter(Map.of(TARGET_LABEL, "true"))
        .withStatusFilter(List.of("running"))
        .exec());
  }

  /** The container of that name or id, or empty when there is none. */
  public Optional<InspectContainerResponse> inspect(String name) {
    try {
      return Optional.of(call("inspect container " + name, () -> client.inspectContainerCmd(name).exec()));
    } catch (ProviderException e) {
      if (e.getCause() instanceof NotFoundException) return Optional.empty();
      throw e;
    }
  }

  /**
   * Creates and starts a container from a local image (never pulled: a missing image is an error
   * in words), on {@code network} when given.
   *
   * @return the container's id
   */
  public String run(String name, String image, List<String> command, Map<String, String> labels, String network) {
    String id = call("create container " + name + " from image " + image, () -> {
      var create = client.createContainerCmd(image).withName(name).withLabels(labels)
          .withHostConfig(HostConfig.newHostConfig().withNetworkMode(network == null ? "bridge" : network));
      if (!command.isEmpty()) create = create.withCmd(command);
      return create.exec().getId();
    });
    call("start container " + name, () -> {
      client.startContainerCmd(id).exec();
      return null;
    });
    return id;
  }

  /** Removes a container, running or not (docker rm -f); one already gone is not an error. */
  public void remove(String containerId, String name) {
    try {
      call("remove container " + name, () -> {
        client.removeContainerCmd(containerId).withForce(true).exec();
        return null;
      });
    } catch (ProviderException e) {
      if (!(e.getCause() instanceof NotFoundException)) throw e;
    }
  }

  /**
   * The bytes of a file inside a running container, read with {@code cat -- <path>} through the
   * exec API. The caller owns (and should zero) the result.
   *
   * @throws ProviderException in words: the file is missing or unreadable, the container has no
   *     {@code cat}, the file is too large, the read took too long
   */
  public byte[] readFile(String containerId, String containerName, String path) {
    String where = "the file " + path + " inside container " + containerName;
    String execId = call("start `cat` in container " + containerName, () -> client.execCreateCmd(containerId)
        .withCmd("cat", "--", path)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .exec()
        .getId());
    Capture capture = new Capture();
    try {
      boolean done = call("read " + where, () -> {
        try (Capture c = client.execStartCmd(execId).exec(capture)) {
          return c.awaitCompletion(EXEC_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
      });
      if (!done) {
        throw new ProviderException(Kind.UNAVAILABLE, "reading " + where + " took longer than "
            + EXEC_TIMEOUT.toSeconds() + " s");
      }
      Long exit = call("read " + where, () -> client.inspectExecCmd(execId).exec().getExitCodeLong());
      if (capture.tooLarge) {
        throw new ProviderException(Kind.MISCONFIGURED, where + " is larger than " + MAX_PASSWORD_FILE_BYTES
            + " bytes: it is not a VNC password file");
      }
      if (exit == null || exit != 0) throw unreadable(where, containerName, exit, capture.errorText());
      return capture.out.toByteArray();
    } finally {
      capture.wipe();
    }
  }

  private static ProviderException unreadable(String where, String container, Long exit, String stderr) {
    if (exit != null && (exit == 126 || exit == 127)) {
      return new ProviderException(Kind.MISCONFIGURED, "cannot read " + where + ": the container has no `cat` to read"
          + " it with (exit " + exit + ")" + detail(stderr) + "; give the password as providers.docker.password-file on"
          + " the gateway host instead, or add cat to the image");
    }
    return new ProviderException(Kind.MISCONFIGURED, "cannot read " + where + detail(stderr)
        + (exit == null ? "" : " (exit " + exit + ")") + ": create the VNC password file in the container (e.g."
        + " `docker exec " + container + " vncpasswd`), or change providers.docker.password-file-in-container");
  }

  private static String detail(String stderr) {
    String line = stderr.strip().lines().findFirst().orElse("");
    if (line.length() > 200) line = line.substring(0, 200) + "…";
    return line.isEmpty() ? "" : ": " + line;
  }

  /** Runs one blocking call; any failure becomes a {@link ProviderException} in words. */
  <T> T call(String doing, Call<T> call) {
    try {
      return call.run();
    } catch (ProviderException e) {
      throw e;
    } catch (DockerException e) {
      throw errors.refused(doing, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(Kind.UNAVAILABLE, "interrupted while waiting for the Docker engine to " + doing);
    } catch (Exception e) {
      throw errors.unreachable(doing, e);
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }

  interface Call<T> {
    T run() throws Exception;
  }

  /** An exec's output: stdout kept (bounded; it may be a password), stderr for the error message. */
  private static final class Capture extends ResultCallback.Adapter<Frame> {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    final ByteArrayOutputStream err = new ByteArrayOutputStream(64);
    volatile boolean tooLarge;

    @Override
    public void onNext(Frame frame) {
      byte[] payload = frame.getPayload();
      if (payload == null) return;
      synchronized (this) {
        if (frame.getStreamType() == StreamType.STDERR) {
          if (err.size() < 1024) err.write(payload, 0, Math.min(payload.length, 1024 - err.size()));
        } else if (out.size() + payload.length > MAX_PASSWORD_FILE_BYTES) {
          tooLarge = true;
        } else {
          out.write(payload, 0, payload.length);
        }
      }
      Arrays.fill(payload, (byte) 0);
    }

    synchronized String errorText() {
      return err.toString(StandardCharsets.UTF_8);
    }

    synchronized void wipe() {
      byte[] zeros = new byte[out.size()];
      out.reset();
      out.write(zeros, 0, zeros.length);
      out.reset();
    }
  }
}
