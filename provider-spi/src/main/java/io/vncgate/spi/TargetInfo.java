package io.vncgate.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One target as listed to users.
 *
 * @param id full id, {@code <provider>/<local id>}, e.g. {@code static/lab1}
 * @param name a display name
 * @param labels free-form labels (e.g. {@code os=linux})
 * @param capabilities what the target supports, e.g. {@code clipboard}, {@code power}
 */
public record TargetInfo(String id, String name, Map<String, String> labels, Set<String> capabilities) {
  public TargetInfo {
    Objects.requireNonNull(id, "id");
    if (id.indexOf('/') <= 0 || id.endsWith("/")) {
      throw new IllegalArgumentException("target id must look like <provider>/<id>: " + id);
    }
    name = name == null || name.isBlank() ? id : name;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
  }

  public TargetInfo(String id, String name) {
    this(id, name, Map.of(), Set.of());
  }
}
