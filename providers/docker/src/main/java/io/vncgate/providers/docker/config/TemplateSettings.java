package io.vncgate.providers.docker.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of {@code providers.docker.templates}: a desktop container the gateway starts from an
 * image when someone opens {@code docker/<name>}, and stops and removes after {@code idleStop}
 * with no viewer.
 *
 * @param name the container's name and the target's local id
 * @param key the entry's config key, e.g. {@code providers.docker.templates[0]}
 * @param image a local image (the provider never pulls)
 * @param command the container's command, or empty for the image's own
 * @param labels extra {@code vncgate.*} labels, without the prefix (e.g. {@code os: linux})
 * @param idleStop how long the container runs with no viewer before it is stopped and removed
 */
public record TemplateSettings(String name, String key, String image, List<String> command, Map<String, String> labels,
    Duration idleStop) {
  public TemplateSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    command = List.copyOf(command);
    labels = Map.copyOf(labels);
    Objects.requireNonNull(idleStop, "idleStop");
  }
}
