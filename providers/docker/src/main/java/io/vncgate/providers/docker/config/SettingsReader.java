package io.vncgate.providers.docker.config;

import io.vncgate.spi.ProviderConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code providers.docker}. Every error names the full key; a secret file is
 * checked for being readable, its contents never quoted.
 */
public final class SettingsReader {
  /** Docker's own rule for network names (and container names). */
  private static final Pattern NETWORK = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

  private SettingsReader() {}

  public static DockerSettings read(ProviderConfig c, Path configDir) {
    c.onlyKeys("host", "network", "port", "password-file", "password-file-in-container");
    URI host = host(c);
    String network = c.optionalString("network").map(String::strip).orElse(null);
    if (network != null && !NETWORK.matcher(network).matches()) {
      throw c.invalid("network", "expected a Docker network name (letters, digits, '_', '.', '-'; as `docker network"
          + " ls` shows it), got \"" + network + "\"");
    }
    int port = c.port("port", DockerSettings.DEFAULT_PORT);
    return new DockerSettings(host, Path.of(host.getPath()), network, port, password(c, configDir));
  }

  private static URI host(ProviderConfig c) {
    String text = c.string("host", DockerSettings.DEFAULT_HOST).strip();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw c.invalid("host", "expected the Engine's unix socket like unix:///var/run/docker.sock, got \"" + text + "\"");
    }
    if (!"unix".equals(uri.getScheme())) {
      throw c.invalid("host", "expected a unix socket like unix:///var/run/docker.sock (or podman's"
          + " unix:///run/podman/podman.sock), got \"" + text + "\": the Engine API over TCP without TLS gives root"
          + " on this host to anyone who can reach the port, so only a local socket is supported");
    }
    if (uri.getPath() == null || !uri.getPath().startsWith("/") || uri.getRawAuthority() != null) {
      throw c.invalid("host", "expected an absolute socket path after unix:// (three slashes), e.g."
          + " unix:///var/run/docker.sock, got \"" + text + "\"");
    }
    return uri;
  }

  private static DockerSettings.Password password(ProviderConfig c, Path configDir) {
    boolean gatewaySide = c.has("password-file");
    boolean inContainer = c.has("password-file-in-container");
    if (gatewaySide && inContainer) {
      throw c.invalid("password-file-in-container", "set either password-file (one file on the gateway host for"
          + " every container) or password-file-in-container (a file inside each container), not both");
    }
    if (inContainer) {
      String path = c.string("password-file-in-container").strip();
      if (!path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
        throw c.invalid("password-file-in-container", "expected an absolute path inside the container, e.g."
            + " /etc/vnc/passwd, got \"" + path + "\"");
      }
      return new DockerSettings.InContainer(path);
    }
    if (gatewaySide) {
      Path file = configDir.resolve(c.string("password-file").strip()).normalize();
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw c.invalid("password-file", "file " + file + " does not exist or is not readable; it should hold the"
            + " containers' VNC password (plain text, or as TigerVNC's vncpasswd writes it)");
      }
      return new DockerSettings.GatewayFile(file);
    }
    return new DockerSettings.NoPassword();
  }
}
