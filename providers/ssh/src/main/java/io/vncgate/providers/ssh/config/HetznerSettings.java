package io.vncgate.providers.ssh.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Hetzner Cloud discovery ({@code providers.ssh.hetzner}): running servers matching a label
 * selector, reached on their public IPv4 or their first private network address.
 */
public record HetznerSettings(Path tokenFile, String labelSelector, URI endpoint, boolean privateNetwork,
    Access access) {
  public static final URI DEFAULT_ENDPOINT = URI.create("https://api.hetzner.cloud/v1");

  public HetznerSettings {
    Objects.requireNonNull(tokenFile, "tokenFile");
    labelSelector = labelSelector == null ? "" : labelSelector;
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(access, "access");
  }
}
