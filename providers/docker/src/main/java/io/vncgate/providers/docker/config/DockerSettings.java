package io.vncgate.providers.docker.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * {@code providers.docker}, validated, paths resolved.
 *
 * @param host the Engine API's unix socket as a URI, {@code unix:///var/run/docker.sock} by default
 *     (podman: {@code unix:///run/podman/podman.sock})
 * @param socket the socket's path on the gateway host (the URI's path)
 * @param network the network whose address the gateway connects to, or null: the container's first
 *     network by name
 * @param port the VNC port when a container has no {@code vncgate.port} label
 * @param password where the containers' VNC password comes from
 * @param templates desktops started from an image on open, stopped when idle
 */
public record DockerSettings(URI host, Path socket, String network, int port, Password password,
    List<TemplateSettings> templates) {
  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
  public static final int DEFAULT_PORT = 5900;

  public DockerSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(password, "password");
    templates = List.copyOf(templates);
  }

  /** Where the VNC password of a container comes from. */
  public sealed interface Password {}

  /** No password: the containers' VNC servers offer security type None. */
  public record NoPassword() implements Password {}

  /**
   * One secret file on the gateway host for every container (plain text first line, or TigerVNC's
   * {@code vncpasswd} format), read at each connection.
   */
  public record GatewayFile(Path file) implements Password {}

  /**
   * A file inside each container, read at each connection through the Engine's exec API
   * ({@code cat -- <path>} in the container), so every container may have its own password.
   *
   * @param path an absolute path inside the container
   */
  public record InContainer(String path) implements Password {}
}
