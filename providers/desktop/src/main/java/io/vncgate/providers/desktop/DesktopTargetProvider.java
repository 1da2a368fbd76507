package io.vncgate.providers.desktop;

import io.vncgate.spi.Caller;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.Limits;
import io.vncgate.spi.ProviderContext;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.ProviderException.Kind;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetProvider;
import io.vncgate.spi.TargetRoute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code desktop} provider: desktops launched on demand on the gateway's host, TigerVNC Xvnc
 * on a unix socket. Each user has {@code desktop/<their token's sub>} (only they, and the
 * provider's {@code admins}, may open it); config may name more ({@code desktop/<id>}). A desktop
 * starts on its first open, is reused while it runs, and stops after {@code idle-stop} without
 * viewers (the gateway's {@link #viewers} hook) or with the gateway.
 */
@Extension
public class DesktopTargetProvider implements TargetProvider {
  private static final Logger log = LoggerFactory.getLogger(DesktopTargetProvider.class);
  static final String PREFIX = "desktop/";

  private volatile DesktopSettings settings;
  private volatile Desktops desktops;
  private volatile Map<String, DesktopSettings.Named> named = Map.of();
  private ExecutorService launchers;
  private ScheduledExecutorService timers;

  @Override
  public String name() {
    return "desktop";
  }

  @Override
  public void start(ProviderContext context) {
    DesktopSettings s = DesktopSettings.read(context.config(), context.configDirectory());
    try {
      Files.createDirectories(s.stateDir());
      Files.setPosixFilePermissions(s.stateDir(), PosixFilePermissions.fromString("rwx------"));
    } catch (IOException | UnsupportedOperationException e) {
      throw context.config().invalid("state-dir", "cannot make " + s.stateDir() + " a folder only the gateway's user"
          + " may open: " + e.getMessage());
    }
    Map<String, DesktopSettings.Named> byId = new LinkedHashMap<>();
    s.desktops().forEach(d -> byId.put(d.id(), d));
    launchers = ProviderThreads.launchers();
    timers = ProviderThreads.timers();
    named = Map.copyOf(byId);
    settings = s;
    desktops = new Desktops(s, launchers, timers);
    log.info("desktop provider: {}{} desktops at most, {} each ({}-bit), session {}, idle stop {}, state in {}",
        s.perUser() ? "one per user and " : "", s.maxDesktops(), s.look().geometry(), s.look().depth(),
        s.look().session(), s.idleStop().isZero() ? "never" : s.idleStop(), s.stateDir());
  }

  @Override
  public CompletionStage<List<TargetInfo>> list(Caller caller) {
    DesktopSettings s = settings;
    List<TargetInfo> out = new ArrayList<>();
    // a user whose name is also a named desktop's id has that one (named ids win, see docs/providers-desktop.md)
    if (s.perUser() && !named.containsKey(caller.subject())) {
      out.add(info(caller.subject(), caller.subject() + "'s desktop", "personal", s.look()));
      if (s.admins().contains(caller.subject())) {
        for (String id : desktops.ids()) {
          if (!named.containsKey(id) && !id.equals(caller.subject())) out.add(info(id, id + "'s desktop", "personal", s.look()));
        }
      }
    }
    for (DesktopSettings.Named d : named.values()) {
      if (mayOpenNamed(d, caller)) out.add(info(d.id(), d.name(), "named", d.look()));
    }
    return CompletableFuture.completedFuture(out);
  }

  private TargetInfo info(String id, String title, String kind, DesktopSettings.Look look) {
    String state = desktops.state(id).map(st -> st == Desktops.State.RUNNING ? "running" : "starting").orElse("stopped");
    return new TargetInfo(PREFIX + id, title, Map.of("kind", kind, "state", state, "geometry", look.geometry()), Set.of());
  }

  @Override
  public CompletionStage<TargetRoute> resolve(String targetId, Caller caller) {
    if (!targetId.startsWith(PREFIX) || targetId.length() == PREFIX.length()) {
      return CompletableFuture.failedFuture(new ProviderException(Kind.NOT_FOUND, "no desktop " + targetId));
    }
    String id = targetId.substring(PREFIX.length());
    DesktopSettings s = settings;
    DesktopSettings.Named d = named.get(id);
    String title;
    DesktopSettings.Look look;
    if (d != null) {
      if (!mayOpenNamed(d, caller)) {
        return CompletableFuture.failedFuture(new ProviderException(Kind.FORBIDDEN, "desktop " + targetId
            + " is open only to " + String.join(", ", d.users())));
      }
      title = d.name();
      look = d.look();
    } else {
      Optional<ProviderException> refusal = personalRefusal(s, targetId, id, caller);
      if (refusal.isPresent()) return CompletableFuture.failedFuture(refusal.get());
      title = id + "'s desktop";
      look = s.look();
    }
    return desktops.open(id, title, look)
        .thenApply(socket -> new TargetRoute(new Route.UnixSocket(socket), new Credentials.None(), Limits.DEFAULTS));
  }

  private static Optional<ProviderException> personalRefusal(DesktopSettings s, String targetId, String id, Caller caller) {
    if (!s.perUser()) {
      return Optional.of(new ProviderException(Kind.NOT_FOUND, "no desktop " + targetId + "; this gateway has only named desktops"
          + " (providers.desktop.per-user is false)"));
    }
    if (id.equals(caller.subject()) || s.admins().contains(caller.subject())) return Optional.empty();
    return Optional.of(new ProviderException(Kind.FORBIDDEN, targetId + " is another user's desktop; you may open only your own, "
        + PREFIX + caller.subject()));
  }

  private static boolean mayOpenNamed(DesktopSettings.Named d, Caller caller) {
    return d.users().isEmpty() || d.users().contains(caller.subject());
  }

  @Override
  public void viewers(String targetId, int count) {
    Desktops ds = desktops;
    if (ds != null && targetId.startsWith(PREFIX)) ds.viewers(targetId.substring(PREFIX.length()), count);
  }

  /**
   * The desktop's session ended (the user logged out), its Xvnc exited, or it was stopped after
   * {@code idle-stop}; empty while it runs.
   */
  @Override
  public CompletionStage<Optional<String>> whyEnded(String targetId, Caller caller) {
    Desktops ds = desktops;
    if (ds == null || !targetId.startsWith(PREFIX)) return CompletableFuture.completedFuture(Optional.empty());
    return ds.whyEnded(targetId.substring(PREFIX.length()));
  }

  /** The Xvnc pid of a running desktop, for tests. */
  Optional<Long> pid(String localId) {
    return desktops.pid(localId);
  }

  @Override
  public void stop() {
    Desktops ds = desktops;
    if (ds != null) ds.stopAll();
    if (timers != null) timers.shutdownNow();
    if (launchers != null) launchers.shutdown();
  }
}
