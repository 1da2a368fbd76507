package ${package};

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
 * VNC servers listed in the gateway's config:
 *
 * <pre>
 * providers:
 *   ${pluginId}:
 *     targets:
 *       - {id: desk, name: Desk, host: 127.0.0.1, port: 5901, password-file: desk.vncpass}
 * </pre>
 *
 * <p>PF4J finds this class through {@link Extension}.
 */
@Extension
public class ListProvider implements TargetProvider {
  private static final Logger log = LoggerFactory.getLogger(ListProvider.class);

  private record Target(TargetInfo info, Route.Tcp route, Path passwordFile) {}

  private final Map<String, Target> targets = new LinkedHashMap<>();

  @Override
  public String name() {
    return "${pluginId}";
  }

  @Override
  public void start(ProviderContext context) {
    ProviderConfig config = context.config().onlyKeys("targets");
    for (ProviderConfig t : config.sections("targets")) {
      t.onlyKeys("id", "name", "host", "port", "password-file");
      String id = t.string("id");
      if (!id.matches("[a-z0-9-]+")) {
        throw t.invalid("id", "use lower-case letters, digits and '-', got \"" + id + "\"");
      }
      String fullId = name() + "/" + id;
      if (targets.containsKey(fullId)) throw t.invalid("id", "\"" + id + "\" is used twice");
      Path passwordFile = t.optionalString("password-file").map(context.configDirectory()::resolve).orElse(null);
      if (passwordFile != null && !Files.isReadable(passwordFile)) {
        throw t.invalid("password-file", "file " + passwordFile + " does not exist or is not readable");
      }
      TargetInfo info = new TargetInfo(fullId, t.string("name", id), Map.of(), Set.of());
      targets.put(fullId, new Target(info, new Route.Tcp(t.string("host"), t.port("port", 5900)), passwordFile));
    }
    log.info("{} provider: {} targets", name(), targets.size());
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
          "no target " + targetId + " in providers." + name() + ".targets"));
    }
    if (t.passwordFile() == null) {
      return CompletableFuture.completedFuture(new TargetRoute(t.route(), new Credentials.None()));
    }
    try {
      // read at every connection, so the password can be changed without a restart
      Secret password = Secret.of(Files.readString(t.passwordFile()).strip());
      return CompletableFuture.completedFuture(new TargetRoute(t.route(), new Credentials.VncPassword(password)));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new ProviderException(ProviderException.Kind.MISCONFIGURED,
          "the VNC password file of " + targetId + " cannot be read (" + e.getClass().getSimpleName() + ")"));
    }
  }
}
