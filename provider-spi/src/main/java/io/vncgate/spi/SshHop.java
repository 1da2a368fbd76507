package io.vncgate.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One SSH hop. Host keys are always verified: against {@code knownHosts} and/or the
 * {@code pinnedKeys} (OpenSSH public key lines or {@code SHA256:} fingerprints). A hop with
 * neither is refused by the gateway.
 */
public record SshHop(String host, int port, String user, List<Path> identityFiles, Path knownHosts,
    List<String> pinnedKeys) {
  public SshHop {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    identityFiles = identityFiles == null ? List.of() : List.copyOf(identityFiles);
    pinnedKeys = pinnedKeys == null ? List.of() : List.copyOf(pinnedKeys);
  }
}
