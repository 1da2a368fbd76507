package io.vncgate.providers.example;

import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.Secret;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example provider: VNC servers listed in its config, each with computed labels, an optional
 * VNC password file and an optional maintenance note that makes connections fail with that note.
 *
 * <pre>{@code
 * providers:
 *   example:
 *     targets:
 *       - {id: desk, host: 127.0.0.1, port: 5901}
 *       - {id: lab, name: Lab PC, host: 10.0.0.5, password-file: lab.vncpass}
 *       - {id: old, host: 10.0.0.9, maintenance: "disk swap until 14:00"}
 * }</pre>
 *
 * <p>Target ids are {@code example/<id>}. It is one class: PF4J finds it through {@link Extension}
 * (the annotation processor in the pf4j jar writes {@code META-INF/extensions.idx}).
 */
@Extension
public class ExampleProvider implements TargetProvider {
  private static final Logger log = LoggerFactory.getLogger(ExampleProvider.class);

  private record Target(TargetInfo info, Route.Tcp route, Path passwordFile, String maintenance) {}

  private final Map<String, Target> targets = new LinkedHashMap<>();

  @Override
  public String name() {
    return "example";
  }

  @Override
  public void start(ProviderContext context) {
    ProviderConfig config = context.config().onlyKeys("targets");
    for (ProviderConfig t : config.sections("targets")) {
      t.onlyKeys("id", "name", "host", "port", "password-file", "maintenance");
      String id = t.string("id");
      if (!id.matches("[a-z0-9-]+")) {
        throw t.invalid("id", "use lower-case letters, digits and '-', got \"" + id + "\"");
      }
      String fullId = name() + "/" + id;
      if (targets.containsKey(fullId)) throw t.invalid("id", "\"" + id + "\" is used twice");
      String host = t.string("host");
      Path passwordFile = t.optionalString("password-file").map(context.configDirectory()::resolve).orElse(null);
      if (passwordFile != null && !Files.isReadable(passwordFile)) {
        throw t.invalid("password-file", "file " + passwordFile + " does not exist or is not readable");
      }
      String maintenance = t.optionalString("maintenance").orElse(null);

      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("network", network(host));
      labels.put("auth", passwordFile == null ? "none" : "vnc-password");
      if (maintenance != null) labels.put("maintenance", "yes");
      TargetInfo info = new TargetInfo(fullId, t.string("name", id), labels, Set.of());
      targets.put(fullId, new Target(info, new Route.Tcp(host, t.port("port", 5900)), passwordFile, maintenance));
    }
    log.info("example provider: {} targets", targets.size());
  }

  @Override
  public CompletionStage<List<TargetInfo>> list(Caller caller) {
    return CompletableFuture.completedFuture(targets.values().stream().map(Target::info).toList());
  }

  @Override
  public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
    Target t = targets.get(targetId);
    if (t == null) {
      return failure(ProviderException.Kind.NOT_FOUND, "no target " + targetId + " in providers.example.targets");
    }
    if (t.maintenance() != null) {
      return failure(ProviderException.Kind.UNAVAILABLE, targetId + " is in maintenance: " + t.maintenance());
    }
    if (t.passwordFile() == null) {
      return CompletableFuture.completedFuture(new TargetRoute(t.route(), new Credentials.None()));
    }
    try {
      // read at every connection, so the password can be rotated without a restart
      Secret password = Secret.of(Files.readString(t.passwordFile()).strip());
      return CompletableFuture.completedFuture(new TargetRoute(t.route(), new Credentials.VncPassword(password)));
    } catch (IOException e) {
      return failure(ProviderException.Kind.MISCONFIGURED, "the VNC password file of " + targetId
          + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** A label computed from the address: loopback, private (RFC 1918) or public. */
  static String network(String host) {
    if (host.equals("localhost") || host.startsWith("127.") || host.equals("::1")) return "loopback";
    if (host.startsWith("10.") || host.startsWith("192.168.") || host.matches("172\\.(1[6-9]|2\\d|3[01])\\..*")) {
      return "private";
    }
    return "public";
  }

  private static <T> CompletionStage<T> failure(ProviderException.Kind kind, String message) {
    return CompletableFuture.failedFuture(new ProviderException(kind, message));
  }
}
