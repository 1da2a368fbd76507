package io.vncgate.providers.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.vncgate.providers.docker.config.DockerSettings;
import io.vncgate.providers.docker.engine.Engine;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Containers as targets: the labels that offer and describe them, and the address and port the
 * gateway connects to. The VNC server is reached at the container's address on its network
 * (never a published port): nothing is opened on any host interface, and the relay is a plain TCP
 * connection the gateway already knows how to splice.
 */
final class Desktops {
  static final String PREFIX = "vncgate.";
  static final String NAME_LABEL = "vncgate.name";
  static final String PORT_LABEL = "vncgate.port";

  private final DockerSettings settings;

  Desktops(DockerSettings settings) {
    this.settings = settings;
  }

  static String targetId(String containerName) {
    return "docker/" + containerName;
  }

  /** The container's own name: the one without a link prefix, without Docker's leading '/'. */
  static Optional<String> name(String[] names) {
    if (names == null) return Optional.empty();
    return Arrays.stream(names).filter(Objects::nonNull).map(n -> n.startsWith("/") ? n.substring(1) : n)
        .filter(n -> !n.isEmpty() && n.indexOf('/') < 0).findFirst();
  }

  /** Whether the labels offer the container ({@code vncgate.target=true}, exactly). */
  static boolean offered(Map<String, String> labels) {
    return labels != null && "true".equals(labels.get(Engine.TARGET_LABEL));
  }

  Optional<TargetInfo> info(Container c) {
    if (!offered(c.getLabels())) return Optional.empty();
    return name(c.getNames()).map(name -> info(name, c.getImage(), c.getLabels()));
  }

  private static TargetInfo info(String name, String image, Map<String, String> containerLabels) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("container", name);
    if (image != null) labels.put("image", image);
    new TreeMap<>(containerLabels).forEach((k, v) -> {
      if (!k.startsWith(PREFIX) || k.equals(Engine.TARGET_LABEL) || k.equals(NAME_LABEL)) return;
      String key = k.substring(PREFIX.length());
      if (!key.isEmpty() && v != null) labels.put(key, v);
    });
    labels.putIfAbsent("port", Integer.toString(DockerSettings.DEFAULT_PORT));
    String display = containerLabels.getOrDefault(NAME_LABEL, name);
    return new TargetInfo(targetId(name), display, labels, Set.of());
  }

  /**
   * The route to a container the engine just described: refused in words when it is not offered,
   * not running, or has no address the gateway can use.
   */
  Route.Tcp route(String targetId, String name, InspectContainerResponse c) {
    Map<String, String> labels = c.getConfig() == null || c.getConfig().getLabels() == null
        ? Map.of() : c.getConfig().getLabels();
    if (!offered(labels)) throw notOffered(targetId);
    var state = c.getState();
    if (state == null || !Boolean.TRUE.equals(state.getRunning())) {
      String status = state == null || state.getStatus() == null ? "not running" : state.getStatus();
      throw new ProviderException(Kind.UNAVAILABLE, "container " + name + " is " + status + ": start it (`docker start "
          + name + "`) and open " + targetId + " again");
    }
    if (Boolean.TRUE.equals(state.getPaused())) {
      throw new ProviderException(Kind.UNAVAILABLE, "container " + name + " is paused: `docker unpause " + name
          + "` and open " + targetId + " again");
    }
    int port = port(name, labels);
    String mode = c.getHostConfig() == null ? null : c.getHostConfig().getNetworkMode();
    if ("host".equals(mode)) {
      // the container shares the host's network: its VNC server listens on the host itself
      return new Route.Tcp("127.0.0.1", port);
    }
    return new Route.Tcp(address(name, c), port);
  }

  static ProviderException notOffered(String targetId) {
    // the same words whether the container exists without the label or not at all: no probing
    return new ProviderException(Kind.NOT_FOUND, "no such target: " + targetId + " (no running container of that name"
        + " carries the label " + Engine.TARGET_LABEL + "=true)");
  }

  private int port(String name, Map<String, String> labels) {
    String text = labels.get(PORT_LABEL);
    if (text == null) return settings.port();
    try {
      int port = Integer.parseInt(text.strip());
      if (port >= 1 && port <= 65535) return port;
    } catch (NumberFormatException e) {
      // below
    }
    throw new ProviderException(Kind.MISCONFIGURED, "container " + name + " has the label " + PORT_LABEL + "=\"" + text
        + "\": expected the VNC server's port inside the container, a whole number from 1 to 65535");
  }

  private String address(String name, InspectContainerResponse c) {
    Map<String, ContainerNetwork> networks = c.getNetworkSettings() == null || c.getNetworkSettings().getNetworks() == null
        ? Map.of() : new TreeMap<>(c.getNetworkSettings().getNetworks());
    if (settings.network() != null) {
      ContainerNetwork n = networks.get(settings.network());
      if (n == null) {
        throw new ProviderException(Kind.UNAVAILABLE, "container " + name + " is not on the network "
            + settings.network() + " (providers.docker.network); it is on " + (networks.isEmpty() ? "none"
            : String.join(", ", networks.keySet())) + ": `docker network connect " + settings.network() + " " + name + "`");
      }
      return ip(n).orElseThrow(() -> noAddress(name, "on the network " + settings.network()));
    }
    for (ContainerNetwork n : networks.values()) {
      Optional<String> ip = ip(n);
      if (ip.isPresent()) return ip.get();
    }
    throw noAddress(name, networks.isEmpty() ? "on any network (network mode "
        + (c.getHostConfig() == null ? "?" : c.getHostConfig().getNetworkMode()) + ")" : "on its networks "
        + String.join(", ", networks.keySet()));
  }

  private static ProviderException noAddress(String name, String where) {
    return new ProviderException(Kind.UNAVAILABLE, "container " + name + " has no IP address " + where
        + ": the gateway connects to the container's address, so run it on a network (e.g. the default bridge,"
        + " or `--network <net>` with providers.docker.network)");
  }

  private static Optional<String> ip(ContainerNetwork n) {
    if (n.getIpAddress() != null && !n.getIpAddress().isBlank()) return Optional.of(n.getIpAddress());
    if (n.getGlobalIPv6Address() != null && !n.getGlobalIPv6Address().isBlank()) return Optional.of(n.getGlobalIPv6Address());
    return Optional.empty();
  }
}
