package io.vncgate.providers.docker.engine;

import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.sun.jna.LastErrorException;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What went wrong between the gateway and the engine, in an operator's words: the socket is
 * missing (dockerd not running), nobody answers on it, the gateway may not use it, the engine is
 * too slow, or the engine refused the call (its own message, which names no secret).
 */
final class EngineErrors {
  /** errno values the unix-socket connect reports (Linux). */
  private static final int ENOENT = 2;
  private static final int EACCES = 13;
  private static final int ECONNREFUSED = 111;

  private final URI host;
  private final Path socket;

  EngineErrors(URI host, Path socket) {
    this.host = host;
    this.socket = socket;
  }

  /** The engine answered with an error status. */
  ProviderException refused(String doing, DockerException e) {
    String said = e.getMessage() == null ? "" : e.getMessage().strip();
    // docker-java puts "Status 404: {json}" together; the engine's own sentence is enough
    int brace = said.indexOf("{\"message\":\"");
    if (brace >= 0) said = said.substring(brace + 12).replaceAll("\"}\\s*$", "").replace("\\n", " ").strip();
    Kind kind = e instanceof NotFoundException ? Kind.NOT_FOUND : Kind.UNAVAILABLE;
    return new ProviderException(kind, "the Docker engine at " + host + " could not " + doing + " (HTTP "
        + e.getHttpStatus() + ": " + said + ")", e);
  }

  /** The engine could not be asked at all. */
  ProviderException unreachable(String doing, Exception e) {
    String why = why(e);
    return new ProviderException(Kind.UNAVAILABLE, "cannot reach the Docker engine at " + host + " to " + doing
        + ": " + why + " (providers.docker.host)", e);
  }

  private String why(Exception e) {
    Integer errno = errno(e);
    if (errno != null && errno == EACCES) return permission();
    if (has(e, SocketTimeoutException.class)) return "it did not answer in time; is dockerd overloaded or hung? (`docker info` tells)";
    try {
      BasicFileAttributes a = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isOther()) return socket + " is not a socket";
    } catch (IOException missing) {
      return "there is no socket at " + socket + ": is dockerd running? (start it, e.g. `dockerd &` or"
          + " `systemctl start docker`; for podman `podman system service --time=0 unix://" + socket + " &`)";
    }
    if (!Files.isWritable(socket)) return permission();
    if ((errno != null && errno == ECONNREFUSED) || has(e, ConnectException.class)) {
      return "nothing answers on " + socket + " (connection refused): dockerd is not running and left its socket"
          + " behind; start it again";
    }
    if (errno != null && errno == ENOENT) return "there is no socket at " + socket + ": is dockerd running?";
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  private String permission() {
    return "permission denied on " + socket + ": the gateway's user (" + System.getProperty("user.name")
        + ") may not use it; add that user to the socket's group (usually `docker`) or run podman's socket as that"
        + " user";
  }

  private static Integer errno(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof LastErrorException l) return l.getErrorCode();
    }
    return null;
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) return true;
    }
    return false;
  }
}
