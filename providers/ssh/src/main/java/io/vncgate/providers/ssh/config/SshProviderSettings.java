package io.vncgate.providers.ssh.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code providers.ssh} config, validated and with relative paths resolved against the
 * gateway's config folder.
 *
 * @param knownHosts the known_hosts file the gateway checks host keys against, or null
 * @param pinnedKeys host keys trusted in addition (OpenSSH public key lines or SHA256: fingerprints)
 * @param discoveryTtl how long cloud discovery results are reused
 */
public record SshProviderSettings(Path knownHosts, List<String> pinnedKeys, Duration discoveryTtl,
    List<InventoryHost> hosts, Optional<HetznerSettings> hetzner, Optional<AwsSettings> aws) {
  public static final Duration DEFAULT_DISCOVERY_TTL = Duration.ofSeconds(30);

  public SshProviderSettings {
    pinnedKeys = List.copyOf(pinnedKeys);
    Objects.requireNonNull(discoveryTtl, "discoveryTtl");
    hosts = List.copyOf(hosts);
    Objects.requireNonNull(hetzner, "hetzner");
    Objects.requireNonNull(aws, "aws");
  }
}
