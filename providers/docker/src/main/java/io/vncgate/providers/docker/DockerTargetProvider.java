package io.vncgate.providers.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.vncgate.providers.docker.config.DockerSettings;
import io.vncgate.providers.docker.config.SettingsReader;
import io.vncgate.providers.docker.config.TemplateSettings;
import io.vncgate.providers.docker.engine.Engine;
import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import io.vncgate.spi.VncPasswordFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code docker} provider: running containers on the local Docker Engine (or podman's
 * compatible socket) labelled {@code vncgate.target=true}, as {@code docker/<container name>}. A
 * connection goes to the container's address on its network; the VNC password comes from a file
 * on the gateway host or from a file inside the container, read through the exec API.
 */
@Extension
public class DockerTargetProvider implements TargetProvider {
  private static final Logger log = LoggerFactory.getLogger(DockerTargetProvider.class);
  /** Docker's container names. */
  private static final Pattern ID = Pattern.compile("docker/([a-zA-Z0-9][a-zA-Z0-9_.-]*)");

  private final Clock clock;
  private DockerSettings settings;
  private Desktops desktops;
  private Engine engine;
  private ExecutorService executor;
  private ListCache<TargetInfo> list;
  private Templates templates;
  private ScheduledExecutorService timers;
  private WhyEnded whyEnded;
  private volatile boolean stopped;

  public DockerTargetProvider() {
    this(Clock.systemUTC());
  }

  DockerTargetProvider(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  public void start(ProviderContext context) {
    settings = SettingsReader.read(context.config(), context.configDirectory());
    desktops = new Desktops(settings);
    executor = ProviderThreads.create(4);
    engine = Engine.connect(settings.host(), settings.socket());
    list = new ListCache<>(() -> async(this::fetch), clock);
    timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vncgate-docker-idle");
      t.setDaemon(true);
      return t;
    });
    templates = new Templates(settings.templates(), engine, desktops, settings.network(), executor, timers);
    whyEnded = new WhyEnded(engine, executor);
    for (TemplateSettings t : settings.templates()) {
      log.info("docker: template {} ({}): docker/{} starts a container from image {} on open, removed after {}"
          + " without a viewer", t.name(), t.key(), t.name(), t.image(), t.idleStop());
      async(() -> {
        templates.adopt(t.name());
        return null;
      });
    }
    log.info("docker: Engine API at {}; containers labelled {}=true, reached at their address on {}; VNC password {}",
        settings.host(), Engine.TARGET_LABEL,
        settings.network() == null ? "their first network" : "network " + settings.network(), passwordWords());
    // tell the operator now, without holding up the gateway's start, whether the engine answers
    async(engine::version).whenComplete((version, error) -> {
      if (stopped) return;
      if (error == null) {
        log.info("docker: engine {} answers at {}", version, settings.host());
      } else {
        log.warn("docker: {}; docker targets appear once it answers", unwrap(error).getMessage());
      }
    });
  }

  private String passwordWords() {
    DockerSettings.Password p = settings.password();
    if (p instanceof DockerSettings.GatewayFile f) return "from " + f.file() + " on the gateway host";
    if (p instanceof DockerSettings.InContainer c) return "from " + c.path() + " inside each container";
    return "none (security type None)";
  }

  /** The labelled containers, and every template (running or not) once, as itself. */
  private List<TargetInfo> fetch() {
    List<Container> running = engine.desktops();
    List<TargetInfo> out = new ArrayList<>();
    Set<String> up = new HashSet<>();
    for (Container c : running) {
      String template = c.getLabels() == null ? null : c.getLabels().get(Templates.TEMPLATE_LABEL);
      if (template != null && templates.named(template).isPresent()) {
        up.add(template);
      } else {
        desktops.info(c).ifPresent(out::add);
      }
    }
    for (TemplateSettings t : templates.all()) {
      Map<String, String> labels = new LinkedHashMap<>(t.labels());
      labels.put("template", t.name());
      labels.put("image", t.image());
      labels.put("status", up.contains(t.name()) ? "running" : "starts on open");
      out.add(new TargetInfo(Desktops.targetId(t.name()), t.labels().getOrDefault("name", t.name()), labels, Set.of()));
    }
    out.sort(Comparator.comparing(TargetInfo::id));
    return List.copyOf(out);
  }

  @Override
  public CompletionStage<List<TargetInfo>> list(Caller caller) {
    return unwrapped(list.get());
  }

  /**
   * A fresh look at the container for every connection (never the cached list): a container
   * stopped or removed a moment ago is refused in words, not dialled.
   */
  @Override
  public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
    var m = ID.matcher(targetId);
    if (!m.matches()) {
      return CompletableFuture.failedFuture(new ProviderException(Kind.NOT_FOUND, "no such target: " + targetId
          + " (docker targets are docker/<container name>)"));
    }
    String name = m.group(1);
    Optional<TemplateSettings> template = templates.named(name);
    if (template.isPresent()) {
      return unwrapped(async(() -> {
        Templates.Opened opened = templates.open(targetId, template.get());
        return new TargetRoute(opened.route(), credentials(targetId, name, opened.containerId()));
      }));
    }
    return unwrapped(async(() -> {
      InspectContainerResponse c = engine.inspect(name).orElseThrow(() -> Desktops.notOffered(targetId));
      Route.Tcp route = desktops.route(targetId, name, c);
      TargetRoute out = new TargetRoute(route, credentials(targetId, name, c.getId()));
      log.debug("docker {}: container {} at {}", targetId, shortId(c.getId()), route.describe());
      return out;
    }));
  }

  private Credentials credentials(String targetId, String name, String containerId) {
    DockerSettings.Password p = settings.password();
    if (p instanceof DockerSettings.GatewayFile f) return gatewayFile(f.file(), targetId);
    if (p instanceof DockerSettings.InContainer c) {
      return decode(engine.readFile(containerId, name, c.path()), "the file " + c.path() + " inside container " + name);
    }
    return new Credentials.None();
  }

  private static Credentials gatewayFile(Path file, String targetId) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "VNC password file " + file + " (providers.docker.password-file)"
          + " for " + targetId + " does not exist");
    } catch (IOException e) {
      throw new ProviderException(Kind.MISCONFIGURED, "VNC password file " + file + " (providers.docker.password-file)"
          + " for " + targetId + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    return decode(bytes, "VNC password file " + file);
  }

  /** Plain text (first line) or TigerVNC's vncpasswd format; zeroes {@code bytes}. */
  private static Credentials decode(byte[] bytes, String what) {
    try {
      return new Credentials.VncPassword(VncPasswordFile.decode(bytes).password());
    } catch (IllegalArgumentException e) {
      throw new ProviderException(Kind.MISCONFIGURED, what + " holds no VNC password: " + e.getMessage());
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * From the engine: the container was removed, stopped (with its exit code) or killed for
   * memory; empty while it still runs (then its VNC server went away on its own).
   */
  @Override
  public CompletionStage<Optional<String>> whyEnded(String targetId, Caller caller) {
    var m = ID.matcher(targetId);
    if (!m.matches() || stopped) return CompletableFuture.completedFuture(Optional.empty());
    try {
      return unwrapped(whyEnded.of(m.group(1)));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
  }

  /** Called on an event loop whenever the number changes: only arms or cancels a template's idle timer. */
  @Override
  public void viewers(String targetId, int count) {
    var m = ID.matcher(targetId);
    if (m.matches() && templates != null) templates.viewers(targetId, m.group(1), count);
  }

  @Override
  public void stop() {
    stopped = true;
    if (timers != null) timers.shutdownNow();
    if (executor != null) executor.shutdownNow();
    if (engine != null) {
      try {
        engine.close();
      } catch (IOException e) {
        log.debug("docker: closing the engine client: {}", e.toString());
      }
    }
  }

  private <T> CompletableFuture<T> async(Supplier<T> call) {
    try {
      return CompletableFuture.supplyAsync(call, executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new ProviderException(Kind.UNAVAILABLE, "the docker provider is stopping"));
    }
  }

  private static <T> CompletableFuture<T> unwrapped(CompletableFuture<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      if (error == null) {
        out.complete(value);
      } else {
        out.completeExceptionally(unwrap(error));
      }
    });
    return out;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    return cause;
  }

  private static String shortId(String id) {
    return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
  }
}
