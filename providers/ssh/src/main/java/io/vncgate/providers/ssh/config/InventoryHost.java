package io.vncgate.providers.ssh.config;

import java.util.Map;
import java.util.Objects;

/** A host from the static inventory ({@code providers.ssh.hosts}). */
public record InventoryHost(String id, String name, String host, Map<String, String> labels, Access access) {
  public InventoryHost {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    name = name == null ? id : name;
    labels = Map.copyOf(labels);
    Objects.requireNonNull(access, "access");
  }
}
