package io.vncgate.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.vncgate.gateway.auth.Role;
import io.vncgate.gateway.auth.TicketStore;
import io.vncgate.gateway.engine.RelayMode;
import io.vncgate.gateway.fanout.FanOutSessions;
import io.vncgate.gateway.fanout.UpstreamDecoder;
import io.vncgate.gateway.rfb.Encodings;
import io.vncgate.gateway.relay.ConnectionListener;
import io.vncgate.gateway.relay.UpstreamPacer;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.rfb.ClientMessageType;
import io.vncgate.gateway.rfb.DropReason;
import io.vncgate.gateway.session.Session;
import io.vncgate.gateway.session.SessionRegistry;
import io.vncgate.gateway.session.Viewer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The gateway's own meters: sessions, viewers by role, bytes each way, dropped viewer messages by
 * type, handshake failures by cause and front, and the connect latency (viewer connected →
 * relaying).
 */
public final class GatewayMetrics implements ConnectionListener, AutoCloseable {
  private final MeterRegistry registry;
  private final SessionRegistry sessions;
  private final Timer connectLatency;
  private final AtomicLong closedToServer = new AtomicLong();
  private final AtomicLong closedToViewer = new AtomicLong();
  private final AtomicLong closedSpliced = new AtomicLong();
  /** Listens to the JVM's garbage collections; stopped at close. */
  private JvmGcMetrics gc;

  public GatewayMetrics(MeterRegistry registry, SessionRegistry sessions, TicketStore tickets) {
    this.registry = registry;
    this.sessions = sessions;
    Gauge.builder("vncgate.tickets.live", tickets, TicketStore::live)
        .description("tickets issued and neither redeemed nor expired").register(registry);
    Gauge.builder("vncgate.roster.sessions", sessions, SessionRegistry::heldSessions)
        .description("sessions the roster holds, including those with only reserved (ticketed, unconnected) viewers")
        .register(registry);
    Gauge.builder("vncgate.roster.viewers", sessions, SessionRegistry::heldViewers)
        .description("viewer places the roster holds: connected viewers and reservations for unused tickets").register(registry);
    Gauge.builder("vncgate.sessions", sessions, s -> s.sessions().size())
        .description("shared desktop sessions with at least one viewer").register(registry);
    for (Role role : Role.values()) {
      Gauge.builder("vncgate.viewers", sessions, s -> countViewers(s, role))
          .tag("role", role.wireName()).description("connected viewers by current role").register(registry);
    }
    FunctionCounter.builder("vncgate.relayed", this, m -> m.bytes(ViewerConnection::bytesToServer, closedToServer))
        .tag("direction", "to_server").baseUnit("bytes").description("bytes relayed viewer to server").register(registry);
    FunctionCounter.builder("vncgate.relayed", this, m -> m.bytes(ViewerConnection::bytesToViewer, closedToViewer))
        .tag("direction", "to_viewer").baseUnit("bytes").description("bytes relayed server to viewer").register(registry);
    FunctionCounter.builder("vncgate.spliced", this, m -> m.bytes(ViewerConnection::bytesSpliced, closedSpliced))
        .baseUnit("bytes").description("of the bytes relayed server to viewer, those spliced socket to socket (zero-copy)")
        .register(registry);
    connectLatency = Timer.builder("vncgate.connect")
        .description("from a viewer's connection to relaying (both RFB handshakes, provider and transport)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  /** The pacer's queue length, wait times and backoffs ({@link UpstreamPacer}). */
  public void pacing(UpstreamPacer pacer) {
    Gauge.builder("vncgate.upstream.queued", pacer, UpstreamPacer::queued)
        .description("viewers waiting for their turn at a target (limits.upstream.handshakes-per-target)").register(registry);
    FunctionCounter.builder("vncgate.upstream.backoffs", pacer, UpstreamPacer::backoffs)
        .description("times a target refused the gateway's address as blacklisted and the gateway paused its connections to it")
        .register(registry);
    Timer wait = Timer.builder("vncgate.upstream.queue.wait")
        .description("how long viewers waited for their turn at a target before the gateway connected to it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(registry);
    pacer.onWait(wait::record);
  }

  /**
   * Fan-out sessions (docs/fan-out.md): how many hold an open upstream connection, how many viewers
   * hold them, and how many upstream connections they opened, so one upstream for N viewers shows.
   */
  public void fanOut(FanOutSessions fanOut) {
    Gauge.builder("vncgate.fanout.sessions", fanOut, FanOutSessions::sessions)
        .description("fan-out sessions with an open upstream connection (one per target, sessions.sharing)").register(registry);
    Gauge.builder("vncgate.fanout.viewers", fanOut, FanOutSessions::holders)
        .description("viewers of fan-out sessions, those still in their handshake included").register(registry);
    FunctionCounter.builder("vncgate.fanout.upstreams.opened", fanOut, FanOutSessions::upstreamsOpened)
        .description("upstream connections fan-out sessions opened (one per session, however many viewers)").register(registry);
    for (int encoding : UpstreamDecoder.ENCODINGS) {
      FunctionCounter.builder("vncgate.fanout.upstream.rectangles", fanOut, f -> f.upstreamRectangles(encoding))
          .tag("encoding", switch (encoding) {
            case Encodings.RAW -> "raw";
            case Encodings.COPY_RECT -> "copyrect";
            case Encodings.HEXTILE -> "hextile";
            default -> "zrle";
          })
          .description("rectangles fan-out sessions decoded from their targets, per encoding (sessions.fan-out-upstream-encoding)")
          .register(registry);
    }
  }

  /** The event loops' delay ({@link EventLoopDelay}): a probe timer on each loop of {@code vertx}. */
  public void eventLoopDelay(Vertx vertx) {
    EventLoopDelay.start(vertx, registry);
  }

  /**
   * How large payloads are relayed, as a constant 1 with labels ({@code vncgate_relay_info}): for
   * dashboards and the benchmark, which reads it rather than the start-up log.
   */
  public void relayMode(RelayMode mode) {
    Gauge.builder("vncgate.relay.info", () -> 1)
        .description("how large server payloads are relayed (server.zero-copy and the machine decide)")
        .tag("transport", mode.transport()).tag("mode", mode.mode()).tag("reason", mode.reason())
        .register(registry);
  }

  /**
   * The JVM (memory, garbage collection, threads, class loading) and the process (CPU, uptime,
   * open file descriptors), as Micrometer names them ({@code jvm_*}, {@code process_*},
   * {@code system_cpu_*}), and {@code vncgate_build_info{version,commit,java} 1}.
   */
  public void jvmAndProcess(String version, String commit) {
    new JvmMemoryMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("vncgate.build.info", () -> 1)
        .description("the gateway's version, the commit it was built from and the Java runtime it runs on (always 1)")
        .tag("version", version).tag("commit", commit).tag("java", Runtime.version().toString())
        .register(registry);
  }

  @Override
  public void close() {
    if (gc != null) gc.close();
  }

  private static double countViewers(SessionRegistry s, Role role) {
    long n = 0;
    for (Session session : s.sessions()) {
      for (Viewer v : session.viewers()) if (v.relaying() && session.roleOf(v) == role) n++; // not those still connecting
    }
    return n;
  }

  private double bytes(ToLongFunction<ViewerConnection> live, AtomicLong closed) {
    long total = closed.get();
    for (Session session : sessions.sessions()) {
      for (Viewer v : session.viewers()) {
        ViewerConnection c = v.connection();
        if (c != null) total += live.applyAsLong(c);
      }
    }
    return total;
  }

  @Override
  public void relaying(ViewerConnection connection) {
    connectLatency.record(Duration.between(connection.startedAt(), Instant.now()));
  }

  @Override
  public void dropped(ViewerConnection connection, ClientMessageType type, DropReason reason) {
    countDropped(type.wireName(), reason);
  }

  @Override
  public void droppedFromServer(ViewerConnection connection, String wireName, DropReason reason) {
    countDropped(wireName, reason);
  }

  private void countDropped(String wireName, DropReason reason) {
    Counter.builder("vncgate.dropped.messages")
        .description("messages the gateway dropped: observer input, clipboard by policy or size (type ServerCutText: from the target)")
        .tag("type", wireName)
        .tag("reason", reason.label())
        .register(registry).increment();
  }

  @Override
  public void handshakeFailed(String front, Outcome outcome) {
    Counter.builder("vncgate.handshake.failures")
        .description("connections that failed before relaying, by cause")
        .tag("front", front).tag("cause", outcome.label())
        .register(registry).increment();
  }

  @Override
  public void closed(ViewerConnection connection, Outcome outcome, String reason) {
    // the session registry forgets the viewer at close; keep its bytes in the totals
    closedToServer.addAndGet(connection.bytesToServer());
    closedToViewer.addAndGet(connection.bytesToViewer());
    closedSpliced.addAndGet(connection.bytesSpliced());
  }
}
