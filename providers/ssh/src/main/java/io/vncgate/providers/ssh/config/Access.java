package io.vncgate.providers.ssh.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** How to log in to a host and where its VNC server is: SSH port, user, key files, VNC endpoint. */
public record Access(int port, String user, List<Path> identityFiles, VncEndpoint vnc) {
  public Access {
    Objects.requireNonNull(user, "user");
    identityFiles = List.copyOf(identityFiles);
    Objects.requireNonNull(vnc, "vnc");
  }
}
