package io.vncgate.gateway.provider;

import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderConfig;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import io.vncgate.spi.VncPasswordFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * The built-in provider of fixed hosts from config ({@code providers.static.targets}). The VNC
 * password file is read at every connection, so rotating it needs no restart.
 */
public final class StaticProvider implements TargetProvider {
  public static final String NAME = "static";
  private static final Logger log = LoggerFactory.getLogger(StaticProvider.class);

  /**
   * @param headerFiles for a WebSocket route: each upgrade header's value is read from its file at
   *     every connection (a token can be rotated without a restart)
   */
  private record Target(TargetInfo info, Route route, Path passwordFile, Map<String, Path> headerFiles) {}

  private final Map<String, Target> targets = new LinkedHashMap<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void start(ProviderContext context) {
    ProviderConfig config = context.config().onlyKeys("targets");
    for (ProviderConfig t : config.sections("targets")) {
      t.onlyKeys("id", "name", "host", "port", "websocket", "password-file", "labels");
      String id = t.string("id");
      if (!id.matches("[A-Za-z0-9._-]+")) {
        throw t.invalid("id", "use letters, digits, '.', '_' or '-' only, got \"" + id + "\"");
      }
      String fullId = NAME + "/" + id;
      if (targets.containsKey(fullId)) throw t.invalid("id", "duplicate target id \"" + id + "\"");
      Path passwordFile = null;
      if (t.has("password-file")) {
        passwordFile = context.configDirectory().resolve(t.string("password-file"));
        if (!Files.isReadable(passwordFile)) {
          throw t.invalid("password-file", "file " + passwordFile + " does not exist or is not readable");
        }
        // which format it is, said once at start-up (the file is read again at every connection)
        try {
          VncPasswordFile.Decoded d = VncPasswordFile.decode(Files.readAllBytes(passwordFile));
          log.info("target {}: VNC password file {} is in {} format{}", fullId, passwordFile, d.format().words(),
              d.viewOnlyPassword() ? " (its view-only password is not used)" : "");
        } catch (IOException | IllegalArgumentException e) {
          throw t.invalid("password-file", "file " + passwordFile + " cannot be used: " + words(e));
        }
      }
      Map<String, String> labels = new LinkedHashMap<>();
      t.section("labels").asMap().forEach((k, v) -> labels.put(k, String.valueOf(v)));
      Map<String, Path> headerFiles = new LinkedHashMap<>();
      Route route;
      if (t.has("websocket")) {
        if (t.has("host") || t.has("port")) {
          throw t.invalid("websocket", "give either host/port (TCP) or websocket, not both");
        }
        route = StaticWebSocketRoute.parse(t.section("websocket"), context.configDirectory(), headerFiles);
      } else {
        route = new Route.Tcp(t.string("host"), t.port("port", 5900));
      }
      targets.put(fullId, new Target(new TargetInfo(fullId, t.string("name", id), labels,
          passwordFile == null ? Set.of() : Set.of("vnc-auth")), route, passwordFile, Map.copyOf(headerFiles)));
    }
  }

  @Override
  public CompletionStage<List<TargetInfo>> list(Caller caller) {
    return CompletableFuture.completedFuture(targets.values().stream().map(Target::info).toList());
  }

  @Override
  public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
    Target t = targets.get(targetId);
    if (t == null) {
      return CompletableFuture.failedFuture(new ProviderException(ProviderException.Kind.NOT_FOUND,
          "no target " + targetId + " in providers.static.targets"));
    }
    String id = targetId.substring(NAME.length() + 1);
    Route route = t.route;
    if (!t.headerFiles.isEmpty()) {
      try {
        route = StaticWebSocketRoute.withHeaders((Route.WebSocket) t.route, t.headerFiles);
      } catch (IOException | IllegalArgumentException e) {
        return CompletableFuture.failedFuture(new GatewayException(Status.NEEDS_OPERATOR, "target " + targetId
            + ": the gateway cannot read a stored WebSocket header for it; the operator's log says why",
            "providers.static.targets[" + id + "].websocket.header-files: " + words(e)));
      }
    }
    if (t.passwordFile == null) {
      return CompletableFuture.completedFuture(new TargetRoute(route, new Credentials.None()));
    }
    try {
      VncPasswordFile.Decoded d = VncPasswordFile.decode(Files.readAllBytes(t.passwordFile));
      return CompletableFuture.completedFuture(new TargetRoute(route, new Credentials.VncPassword(d.password())));
    } catch (IOException | IllegalArgumentException e) {
      // the viewer learns that the password cannot be read; the path and the cause are for the log
      return CompletableFuture.failedFuture(new GatewayException(Status.NEEDS_OPERATOR, "target " + targetId
          + ": the gateway cannot read the stored VNC password for it; the operator's log says why",
          "providers.static.targets[" + id + "].password-file " + t.passwordFile + " cannot be used: " + words(e)));
    }
  }

  /** An I/O failure in words, without a Java class name. */
  static String words(Exception e) {
    if (e instanceof NoSuchFileException) return "it does not exist";
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof IllegalArgumentException) return e.getMessage();
    return e.getMessage() == null ? "it cannot be read" : e.getMessage();
  }
}
