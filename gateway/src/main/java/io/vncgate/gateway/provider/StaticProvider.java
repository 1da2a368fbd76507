package io.vncgate.gateway.provider;

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

/**
 * The built-in provider of fixed hosts from config ({@code providers.static.targets}). The VNC
 * password file is read at every connection, so rotating it needs no restart.
 */
public final class StaticProvider implements TargetProvider {
  public static final String NAME = "static";

  private record Target(TargetInfo info, Route.Tcp route, Path passwordFile) {}

  private final Map<String, Target> targets = new LinkedHashMap<>();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void start(ProviderContext context) {
    ProviderConfig config = context.config().onlyKeys("targets");
    for (ProviderConfig t : config.sections("targets")) {
      t.onlyKeys("id", "name", "host", "port", "password-file", "labels");
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
      }
      Map<String, String> labels = new LinkedHashMap<>();
      t.section("labels").asMap().forEach((k, v) -> labels.put(k, String.valueOf(v)));
      Route.Tcp route = new Route.Tcp(t.string("host"), t.port("port", 5900));
      targets.put(fullId, new Target(new TargetInfo(fullId, t.string("name", id), labels,
          passwordFile == null ? Set.of() : Set.of("vnc-auth")), route, passwordFile));
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
    if (t.passwordFile == null) {
      return CompletableFuture.completedFuture(new TargetRoute(t.route, new Credentials.None()));
    }
    try {
      String pw = Files.readString(t.passwordFile).strip();
      return CompletableFuture.completedFuture(new TargetRoute(t.route, new Credentials.VncPassword(Secret.of(pw))));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new ProviderException(ProviderException.Kind.MISCONFIGURED,
          "cannot read the VNC password file of " + targetId + " (" + t.passwordFile + "): " + e.getClass().getSimpleName()));
    }
  }
}
