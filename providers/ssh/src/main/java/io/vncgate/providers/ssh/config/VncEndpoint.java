package io.vncgate.providers.ssh.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the VNC server listens as seen from the SSH host (usually its loopback), and the file
 * holding its password (null: the server offers security type None).
 */
public record VncEndpoint(String host, int port, Path passwordFile) {
  public static final VncEndpoint DEFAULT = new VncEndpoint("127.0.0.1", 5900, null);

  public VncEndpoint {
    Objects.requireNonNull(host, "host");
  }
}
