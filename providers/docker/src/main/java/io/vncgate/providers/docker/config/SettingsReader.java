package io.vncgate.providers.docker.config;

import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code providers.docker}. Every error names the full key; a secret file is
 * checked for being readable, its contents never quoted.
 */
public final class SettingsReader {
  /** Docker's own rule for network names (and container names). */
  private static final Pattern NETWORK = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

  private SettingsReader() {}

  public static DockerSettings read(ProviderConfig c, Path configDir) {
    c.onlyKeys("host", "network", "port", "password-file", "password-file-in-container", "templates");
    URI host = host(c);
    String network = c.optionalString("network").map(String::strip).orElse(null);
    if (network != null && !NETWORK.matcher(network).matches()) {
      throw c.invalid("network", "expected a Docker network name (letters, digits, '_', '.', '-'; as `docker network"
          + " ls` shows it), got \"" + network + "\"");
    }
    int port = c.port("port", DockerSettings.DEFAULT_PORT);
    return new DockerSettings(host, Path.of(host.getPath()), network, port, password(c, configDir), templates(c));
  }

  private static List<TemplateSettings> templates(ProviderConfig c) {
    List<TemplateSettings> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ProviderConfig t : c.sections("templates")) {
      t.onlyKeys("name", "image", "command", "labels", "idle-stop");
      String name = t.string("name").strip();
      if (!NETWORK.matcher(name).matches()) {
        throw t.invalid("name", "expected a container name (letters, digits, '_', '.', '-'; it is the target"
            + " docker/<name> and the container's name), got \"" + name + "\"");
      }
      if (!names.add(name)) throw t.invalid("name", "\"" + name + "\" is used by another template");
      String image = t.string("image").strip();
      Duration idle = t.duration("idle-stop", Duration.ofMinutes(10));
      if (idle.compareTo(Duration.ofSeconds(1)) < 0) {
        throw t.invalid("idle-stop", "expected at least 1s (how long the container runs with nobody watching)");
      }
      ProviderConfig labels = t.section("labels");
      Map<String, String> extra = new LinkedHashMap<>();
      for (String k : labels.keys()) {
        if (k.equals("target") || k.equals("template") || k.startsWith("vncgate.")) {
          throw new ProviderConfigException(labels.key(k), "reserved: give labels without the vncgate. prefix, and"
              + " not target or template (the provider sets those)");
        }
        extra.put(k, labels.string(k));
      }
      out.add(new TemplateSettings(name, t.path(), image, t.strings("command"), extra, idle));
    }
    return out;
  }

  private static URI host(ProviderConfig c) {
    String text = c.string("host", DockerSettings.DEFAULT_HOST).strip();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw c.invalid("host", "expected the Engine's unix socket like unix:///var/run/docker.sock, got \"" + text + "\"");
    }
    if (!"unix".equals(uri.getScheme())) {
      throw c.invalid("host", "expected a unix socket like unix:///var/run/docker.sock (or podman's"
          + " unix:///run/podman/podman.sock), got \"" + text + "\": the Engine API over TCP without TLS gives root"
          + " on this host to anyone who can reach the port, so only a local socket is supported");
    }
    if (uri.getPath() == null || !uri.getPath().startsWith("/") || uri.getRawAuthority() != null) {
      throw c.invalid("host", "expected an absolute socket path after unix:// (three slashes), e.g."
          + " unix:///var/run/docker.sock, got \"" + text + "\"");
    }
    return uri;
  }

  private static DockerSettings.Password password(ProviderConfig c, Path configDir) {
    boolean gatewaySide = c.has("password-file");
    boolean inContainer = c.has("password-file-in-container");
    if (gatewaySide && inContainer) {
      throw c.invalid("password-file-in-container", "set either password-file (one file on the gateway host for"
          + " every container) or password-file-in-container (a file inside each container), not both");
    }
    if (inContainer) {
      String path = c.string("password-file-in-container").strip();
      if (!path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
        throw c.invalid("password-file-in-container", "expected an absolute path inside the container, e.g."
            + " /etc/vnc/passwd, got \"" + path + "\"");
      }
      return new DockerSettings.InContainer(path);
    }
    if (gatewaySide) {
      Path file = configDir.resolve(c.string("password-file").strip()).normalize();
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw c.invalid("password-file", "file " + file + " does not exist or is not readable; it should hold the"
            + " containers' VNC password (plain text, or as TigerVNC's vncpasswd writes it)");
      }
      return new DockerSettings.GatewayFile(file);
    }
    return new DockerSettings.NoPassword();
  }
}
