package io.vncgate.providers.ssh.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the VNC server listens as seen from the SSH host (usually its loopback), and where its
 * password is: a file next to the gateway's config ({@code passwordFile}), a file on the host that
 * the gateway reads over SSH ({@code passwordRemoteFile}, an absolute path), or neither (the
 * server offers security type None). Never both.
 */
public record VncEndpoint(String host, int port, Path passwordFile, String passwordRemoteFile) {
  public static final VncEndpoint DEFAULT = new VncEndpoint("127.0.0.1", 5900, null, null);

  public VncEndpoint {
    Objects.requireNonNull(host, "host");
    if (passwordFile != null && passwordRemoteFile != null) {
      throw new IllegalArgumentException("a password file on the gateway and one on the host");
    }
  }
}
