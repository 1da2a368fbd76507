package io.vncgate.providers.ssh;

import io.vncgate.providers.ssh.config.Access;
import java.util.Map;
import java.util.Objects;

/**
 * A host this provider offers, from the inventory or a cloud API.
 *
 * @param id the full target id, e.g. {@code ssh/box1}, {@code ssh/hetzner/web-1}, {@code ssh/aws/i-0abc}
 * @param address where the gateway's SSH connection goes (IP or host name)
 */
public record SshHost(String id, String name, Map<String, String> labels, String address, Access access) {
  public SshHost {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(access, "access");
  }
}
