package io.vncgate.gateway.relay;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.engine.RelayStreams;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.fanout.FanOutSession;
import io.vncgate.gateway.fanout.FanOutSessions;
import io.vncgate.gateway.fanout.Member;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.CutText;
import io.vncgate.gateway.rfb.DropReason;
import io.vncgate.gateway.rfb.HandshakeStep;
import io.vncgate.gateway.rfb.MessagePolicy;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.gateway.rfb.ViewerHandshake;
import io.vncgate.gateway.transport.Upstream;
import io.vncgate.spi.Sharing;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer's connection through the gateway: the RFB handshake on both sides, then a
 * backpressured relay both ways, the viewer→server half framed and filtered by role.
 *
 * <p>Order: the viewer gets the banner at once; when it has answered (and, on the TCP front,
 * presented its ticket as the VNC password) the gateway resolves the target, connects, reads the
 * target's VNC password on its SSH host when it is kept there, and does the upstream handshake;
 * only then does the viewer learn its security result, so every failure before ServerInit
 * reaches it as an RFB failure reason. Everything runs on one event loop.
 */
public final class ViewerConnection {
  private static final Logger log = LoggerFactory.getLogger(ViewerConnection.class);
  /** Bytes a viewer may send before the handshake completes. */
  private static final int MAX_HANDSHAKE_BYTES = 4096;

  /** The connection's life, in order; each state names what it waits for. */
  private enum State {
    /** The viewer's side of the RFB handshake, until it asks to be let in. */
    GREETING,
    /** A native viewer's ticket (its VNC password) is checked. */
    ADMITTING,
    /**
     * The upstream is set up ({@link UpstreamSetup}): a native viewer waits for its security result;
     * a browser (admitted at the upgrade) may still be greeting meanwhile.
     */
    CONNECTING,
    /** The viewer has its security result; its ClientInit (then the target's ServerInit) is due. */
    INITIALISING,
    /** Bytes flow both ways. */
    RELAYING,
    CLOSED;

    /** Forward only; any state may end. */
    boolean mayMoveTo(State next) {
      return next == CLOSED || next.ordinal() > ordinal() && (next != ADMITTING || this == GREETING);
    }
  }

  private final RelayServices services;
  private final ViewerChannel viewer;
  private final ViewerHandshake viewerHandshake;
  private final Admission admission;
  /** A browser's ticket, judged at the WebSocket upgrade; null for a native viewer until it logs in. */
  private final Admission.Verdict verdict;
  private final Instant startedAt = Instant.now();
  private final long startedNanos = System.nanoTime();
  private final AtomicLong bytesToServer = new AtomicLong();
  private final AtomicLong bytesToViewer = new AtomicLong();
  private final AtomicLong bytesSpliced = new AtomicLong();

  private State state = State.GREETING;
  private Context context;
  /** The viewer→server half of the relay, once relaying: the framer's way to the target. */
  private WriteStream<Buffer> toServer;
  private TicketGrant grant;
  private UpstreamSetup setup;
  private UpstreamSetup.Ready ready;
  /** Why the upstream setup failed, kept until the viewer's handshake can be told. */
  private UpstreamSetup.Failed setupFailure;
  /** The viewer's handshake waits for its security result (it is admitted). */
  private boolean viewerWaiting;
  private Upstream upstream;
  /** A fan-out target's viewer: its claim on the target's session, the session once open, its place in it. */
  private FanOutSessions.Hold fanOutHold;
  private FanOutSession shared;
  private Member member;
  private ClientMessageFramer framer;
  private long handshakeTimer = -1;
  private long idleTimer = -1;
  private long lastActivity = System.nanoTime();
  private int handshakeBytes;
  /** The target went away; its provider is asked why before the connection ends. */
  private boolean askingWhy;

  private ViewerConnection(RelayServices services, Admission admission, ViewerChannel viewer,
      ViewerHandshake.Security security, Admission.Verdict verdict) {
    this.services = services;
    this.admission = admission;
    this.viewer = viewer;
    this.viewerHandshake = new ViewerHandshake(security, services.tickets()::vncChallenge);
    this.verdict = verdict;
    this.grant = verdict == null ? null : verdict.grant();
  }

  /**
   * A browser whose ticket {@link Admission#browser judged} at the WebSocket upgrade: admitted, or
   * told the refusal as an RFB failure as soon as the protocol allows.
   */
  public static ViewerConnection browser(RelayServices services, Admission admission, ViewerChannel viewer,
      Admission.Verdict verdict) {
    return new ViewerConnection(services, admission, viewer, ViewerHandshake.Security.NONE, Objects.requireNonNull(verdict));
  }

  /** A native viewer that will present its ticket as the VNC password. */
  public static ViewerConnection nativeViewer(RelayServices services, Admission admission, ViewerChannel viewer) {
    return nativeViewer(services, admission, viewer, ViewerHandshake.Security.VNC_AUTH);
  }

  /**
   * A native viewer that will present its ticket as the VNC password, offered {@code security}
   * (VNC auth, or VeNCrypt: TLS through {@link ViewerChannel#startTls}, then VNC auth).
   */
  public static ViewerConnection nativeViewer(RelayServices services, Admission admission, ViewerChannel viewer,
      ViewerHandshake.Security security) {
    if (security == ViewerHandshake.Security.NONE) throw new IllegalArgumentException("a native viewer presents a ticket");
    return new ViewerConnection(services, admission, viewer, security, null);
  }

  public void start() {
    context = services.vertx().getOrCreateContext();
    handshakeTimer = services.vertx().setTimer(services.config().server().handshakeTimeout().toMillis(), id -> {
      handshakeTimer = -1;
      String within = " within " + services.config().server().handshakeTimeout().toSeconds() + " s";
      String waited = setup == null ? null : setup.stopWaiting();
      if (waited != null) { // still waiting for its turn at the target
        end(Outcome.QUEUED_TOO_LONG, waited);
      } else if (state == State.CONNECTING && ready == null && shared == null && setupFailure == null) {
        end(Outcome.TARGET_TIMEOUT, "target " + grant.targetId() + " did not complete the RFB handshake" + within);
      } else {
        end(Outcome.VIEWER_TIMEOUT, Outcome.VIEWER_TIMEOUT.words() + within + viewerHandshake.whereStopped(false));
      }
    });
    // a WebSocket whose TCP connection ends without a close frame (a closed tab) is the viewer leaving
    viewer.input().exceptionHandler(e -> end(Outcome.VIEWER_LEFT, e instanceof HttpClosedException
        ? Outcome.VIEWER_LEFT.words() : "the viewer's connection failed: " + e.getMessage()));
    viewer.input().endHandler(v -> end(Outcome.VIEWER_LEFT, Outcome.VIEWER_LEFT.words() + viewerHandshake.whereStopped(true)));
    viewer.input().handler(this::onViewerHandshakeData);
    if (grant != null) admission.redeemed(this); // a browser: its ticket was redeemed at the upgrade
    viewer.output().write(viewerHandshake.start());
    // a browser admitted at the upgrade: the upstream is set up while the viewer does its greeting,
    // so the two handshakes overlap instead of adding up
    if (verdict != null && verdict.admitted()) connect();
  }

  private void onViewerHandshakeData(Buffer data) {
    // in every state before relaying: the viewer answers the security types while the upstream side is done
    if (state == State.RELAYING || state == State.CLOSED) return;
    handshakeBytes += data.length();
    if (handshakeBytes > MAX_HANDSHAKE_BYTES) {
      end(Outcome.VIEWER_PROTOCOL, "the viewer sent too much data during the RFB handshake");
      return;
    }
    onViewerStep(viewerHandshake.onData(data));
  }

  private void onViewerStep(HandshakeStep step) {
    if (state == State.CLOSED) return;
    log.debug("connection={} viewer handshake: {} ({} bytes out)", id(), step.getClass().getSimpleName(), step.output().length());
    if (step instanceof HandshakeStep.StartTls tls) {
      startTls(tls);
      return;
    }
    if (step.output().length() > 0) viewer.output().write(step.output());
    if (step instanceof HandshakeStep.AwaitAdmission await) {
      admit(await);
    } else if (step instanceof HandshakeStep.Ready done) {
      startRelay(done.leftover());
    } else if (step instanceof HandshakeStep.Failed failed) {
      finish(Outcome.VIEWER_PROTOCOL, failed.failure().message()); // the failure is in the step's output
    }
  }

  /** VeNCrypt: the go-ahead, the TLS handshake (bounded by the handshake timer), then VNC auth inside TLS. */
  private void startTls(HandshakeStep.StartTls step) {
    viewer.startTls(step.output()).onComplete(ar -> {
      if (state == State.CLOSED) return;
      if (ar.succeeded()) {
        onViewerStep(viewerHandshake.tlsEstablished());
      } else {
        end(Outcome.VIEWER_PROTOCOL, "the viewer's TLS handshake failed: " + ar.cause().getMessage());
      }
    });
  }

  private void admit(HandshakeStep.AwaitAdmission await) {
    if (verdict != null) { // a browser: its ticket was judged at the upgrade, its upstream set up since
      if (!verdict.admitted()) {
        end(verdict.refusal(), verdict.reason());
        return;
      }
      viewerWaiting = true;
      if (ready != null || shared != null) letIn();
      else if (setupFailure != null) end(setupFailure.outcome(), setupFailure.getMessage());
      return; // else the setup lets it in when done
    }
    moveTo(State.ADMITTING);
    admission.nativeViewer(viewer, await.challenge(), await.response()).onSuccess(v -> {
      if (state == State.CLOSED) return; // the viewer left (or timed out) meanwhile
      if (!v.admitted()) {
        end(v.refusal(), v.reason());
        return;
      }
      grant = v.grant();
      admission.redeemed(this);
      viewerWaiting = true;
      connect();
    });
  }

  /**
   * Admitted: the upstream is set up (resolve → hold → connect → password → upstream handshake);
   * only then does the viewer learn its security result, so every failure reaches it in words.
   */
  private void connect() {
    moveTo(State.CONNECTING);
    // decided before anything is resolved, so concurrent first viewers of a fan-out target share one setup
    if (services.fanOut().sharing(grant.targetId()) == Sharing.FAN_OUT) {
      joinShared();
      return;
    }
    long deadline = startedNanos + services.config().server().handshakeTimeout().toNanos();
    setup = new UpstreamSetup(services, id(), grant, deadline, queue -> {
      if (state == State.CONNECTING) services.listener().queued(this, queue);
    });
    setup.start().onComplete(ar -> {
      if (state == State.CLOSED) { // the viewer left (or timed out) meanwhile
        if (ar.succeeded()) ar.result().upstream().close();
        return;
      }
      if (ar.failed()) {
        Throwable e = ar.cause();
        setupFailure = e instanceof UpstreamSetup.Failed failed ? failed
            : new UpstreamSetup.Failed(Outcome.INTERNAL, Outcome.INTERNAL.words());
        // told when the viewer's handshake gets to the security result (at once if it is there)
        if (viewerWaiting) end(setupFailure.outcome(), setupFailure.getMessage());
        return;
      }
      ready = ar.result();
      upstream = ready.upstream();
      if (viewerWaiting) letIn();
    });
  }

  /**
   * A fan-out target: the viewer holds the target's session; the first viewer's setup opens its
   * upstream (resolve, pacing, password, handshake as for any viewer), the others wait for it.
   */
  private void joinShared() {
    fanOutHold = services.fanOut().hold(grant.targetId(), this::openShared);
    fanOutHold.session().onComplete(ar -> context.runOnContext(v -> {
      if (state == State.CLOSED) return; // the viewer left (or timed out) meanwhile: its hold is released
      if (ar.failed()) {
        setupFailure = ar.cause() instanceof UpstreamSetup.Failed failed ? failed
            : new UpstreamSetup.Failed(Outcome.INTERNAL, Outcome.INTERNAL.words());
        if (viewerWaiting) end(setupFailure.outcome(), setupFailure.getMessage());
        return;
      }
      shared = ar.result();
      if (viewerWaiting) letIn();
    }));
  }

  /**
   * Sets up the upstream of this target's new fan-out session with this viewer's grant. Not
   * cancelled when this viewer leaves: others may wait for it (the session closes after its grace).
   */
  private Future<FanOutSession.Opened> openShared() {
    long deadline = startedNanos + services.config().server().handshakeTimeout().toNanos();
    UpstreamSetup sharedSetup = new UpstreamSetup(services, id(), grant, deadline, queue -> {
      if (state == State.CONNECTING) services.listener().queued(this, queue);
    });
    return sharedSetup.start().map(r -> new FanOutSession.Opened(r.upstream(), r.serverInit(), r.leftover(), r.route().limits(),
        reason -> EndReasons.explain(services.providers(), grant, reason)));
  }

  /** Both sides are ready: the viewer gets its security result and then the target's ServerInit (or its session's). */
  private void letIn() {
    moveTo(State.INITIALISING);
    onViewerStep(viewerHandshake.admit(ready != null ? ready.serverInit() : shared.serverInit()));
  }

  private void startRelay(Buffer viewerLeftover) {
    if (state == State.CLOSED) return;
    moveTo(State.RELAYING);
    cancelHandshakeTimer();
    if (shared != null) {
      startShared(viewerLeftover);
      return;
    }
    ServerInit serverInit = ready.serverInit();
    Buffer upstreamLeftover = ready.leftover();
    // the role is decided before any viewer byte is framed, leftover bytes included
    MessagePolicy policy = services.listener().joining(this);
    RelayFramers framers = RelayFramers.of(serverInit, services.config().clipboard(), ready.route().limits(),
        policy == null ? MessagePolicy.OBSERVER : policy,
        (type, bytes, reason, why) -> {
          log.info("connection={} target={} user={} dropped {} ({} bytes): {}", id(), grant.targetId(),
              grant.user().subject(), type.wireName(), bytes, why);
          services.listener().dropped(this, type, reason);
        },
        (type, bytes, reason, why) -> {
          log.info("connection={} target={} user={} dropped {} from the target ({} bytes): {}", id(), grant.targetId(),
              grant.user().subject(), type, bytes, why);
          services.listener().droppedFromServer(this, type, reason);
        });
    framer = framers.toServer();
    framer.clipboardListener(text -> services.listener().clipboardToTarget(this, text));
    framers.toViewer().clipboardListener(text -> services.listener().clipboardToViewer(this, text));
    // large server payloads may go socket to socket, unread, where the config and the sockets allow
    viewer.prepareForRelay(services.config().server().zeroCopy());
    WriteStream<Buffer> toViewer = RelayStreams.toViewer(new ServerFraming(framers.toViewer()), viewer.output(), bytesToViewer,
        bytesSpliced, this::touch, e -> end(Outcome.TARGET_PROTOCOL, "target " + grant.targetId() + " " + e.getMessage()));
    viewer.input().pause();
    viewer.input().handler(null);
    upstream.input().endHandler(null);
    upstream.input().exceptionHandler(null);
    // a close the target made itself is a normal end; one its transport reports (an SSH session
    // that dropped) is a lost connection
    upstream.closeHandler(reason -> {
      if (reason == null) targetEnded(Outcome.TARGET_ENDED, Outcome.TARGET_ENDED.words());
      else targetEnded(Outcome.TARGET_LOST, reason);
    });

    if (upstreamLeftover != null && upstreamLeftover.length() > 0) {
      toViewer.write(upstreamLeftover);
    }
    toServer = RelayStreams.toServer(framer::feed, upstream.output(), bytesToServer, this::touch,
        this::onRelayFailure);
    if (viewerLeftover.length() > 0) {
      toServer.write(viewerLeftover).onFailure(this::onRelayFailure);
    }
    Pipe<Buffer> down = upstream.input().pipe();
    down.endOnComplete(false);
    down.to(toViewer)
        .onComplete(ar -> {
          if (ar.succeeded()) targetEnded(Outcome.TARGET_ENDED, Outcome.TARGET_ENDED.words());
          else targetEnded(Outcome.TARGET_LOST, "connection lost: " + ar.cause().getMessage());
        });
    Pipe<Buffer> up = viewer.input().pipe();
    up.endOnComplete(false);
    up.to(toServer).onComplete(ar -> {
      if (ar.succeeded()) end(Outcome.VIEWER_LEFT, Outcome.VIEWER_LEFT.words());
      else onRelayFailure(ar.cause());
    });
    startIdleTimer();
    log.info("connection={} target={} user={} front={} relaying (viewer {}, server {})", id(), grant.targetId(),
        grant.user().subject(), viewer.front(), viewer.remote(), upstream.describe());
    services.listener().relaying(this);
  }

  /**
   * A fan-out viewer relays into its session: its messages are framed by its role as any viewer's,
   * and what passes goes to the session; what it sees, the session builds and writes.
   */
  private void startShared(Buffer viewerLeftover) {
    MessagePolicy policy = services.listener().joining(this);
    framer = RelayFramers.toServer(services.config().clipboard(), shared.limits(),
        policy == null ? MessagePolicy.OBSERVER : policy,
        (type, bytes, reason, why) -> {
          log.info("connection={} target={} user={} dropped {} ({} bytes): {}", id(), grant.targetId(),
              grant.user().subject(), type.wireName(), bytes, why);
          services.listener().dropped(this, type, reason);
        });
    // the session forwards classic cut texts only (it offers no extended clipboard upstream)
    framer.clipboardListener(text -> {
      if (!text.extended()) services.listener().clipboardToTarget(this, text);
    });
    member = shared.join(new SharedViewer());
    member.policy(policy == null ? MessagePolicy.OBSERVER : policy);
    viewer.input().pause();
    viewer.input().handler(null);
    toServer = RelayStreams.toServer(framer::feed, member.input(), bytesToServer, this::touch,
        this::onRelayFailure);
    if (viewerLeftover.length() > 0) {
      toServer.write(viewerLeftover).onFailure(this::onRelayFailure);
    }
    Pipe<Buffer> up = viewer.input().pipe();
    up.endOnComplete(false);
    up.to(toServer).onComplete(ar -> {
      if (ar.succeeded()) end(Outcome.VIEWER_LEFT, Outcome.VIEWER_LEFT.words());
      else onRelayFailure(ar.cause());
    });
    startIdleTimer();
    log.info("connection={} target={} user={} front={} relaying (viewer {}, fan-out session of target {})", id(),
        grant.targetId(), grant.user().subject(), viewer.front(), viewer.remote(), shared.target());
    services.listener().relaying(this);
  }

  /** This connection as its fan-out session sees it. */
  private final class SharedViewer implements FanOutSession.Viewer {
    @Override
    public Context context() {
      return context;
    }

    @Override
    public WriteStream<Buffer> output() {
      return viewer.output();
    }

    @Override
    public void end(Outcome outcome, String reason) {
      context.runOnContext(v -> ViewerConnection.this.end(outcome, reason));
    }

    @Override
    public void wrote(int bytes) {
      bytesToViewer.addAndGet(bytes);
      touch();
    }

    @Override
    public void droppedFromTarget(String wireName, DropReason reason) {
      context.runOnContext(v -> {
        log.info("connection={} target={} user={} dropped {} from the target: {}", id(), grant.targetId(),
            grant.user().subject(), wireName, reason.label());
        services.listener().droppedFromServer(ViewerConnection.this, wireName, reason);
      });
    }

    @Override
    public void cutTextSent(Buffer latin1) {
      CutText text = CutText.classic(latin1.getBytes());
      context.runOnContext(v -> services.listener().clipboardToViewer(ViewerConnection.this, text));
    }

    @Override
    public void writesUnasked() {
      context.runOnContext(v -> viewer.shortQueues());
    }

    @Override
    public String id() {
      return ViewerConnection.this.id();
    }
  }

  /** The target went away while relaying: its provider is asked why (briefly), then the connection ends. */
  private void targetEnded(Outcome outcome, String reason) {
    if (state == State.CLOSED || askingWhy) return;
    askingWhy = true;
    EndReasons.explain(services.providers(), grant, reason).onComplete(ar -> end(outcome, ar.result()));
  }

  private void onRelayFailure(Throwable e) {
    if (askingWhy) return; // writes to the gone target fail meanwhile: it ends with the target's words
    if (e instanceof RfbException r) {
      end(Outcome.VIEWER_PROTOCOL, r.failure().message());
    } else {
      // the viewer's stream failed (it went away without a clean close)
      end(Outcome.VIEWER_LEFT, Outcome.VIEWER_LEFT.words());
    }
  }

  private void touch() {
    lastActivity = System.nanoTime();
  }

  private void startIdleTimer() {
    long idleMs = services.config().server().idleTimeout().toMillis();
    if (idleMs <= 0) return;
    long period = Math.max(1000, Math.min(idleMs / 4, 30_000));
    idleTimer = services.vertx().setPeriodic(period, id -> {
      if ((System.nanoTime() - lastActivity) / 1_000_000 >= idleMs) {
        end(Outcome.IDLE, "idle for " + Durations.human(services.config().server().idleTimeout())
            + " (server.idle-timeout); reconnect to continue");
      }
    });
  }

  /**
   * Ends the connection with {@code outcome}: before relaying the viewer is told {@code reason} in
   * the RFB handshake first (unless it left), after it only in the close (WebSocket close code and
   * reason). A final outcome's reason ends with the not-retried note.
   */
  private void end(Outcome outcome, String reason) {
    if (state == State.CLOSED) return;
    String words = outcome.isFinal() ? OperatorFailures.finalReason(reason) : reason;
    if (state != State.RELAYING && outcome != Outcome.VIEWER_LEFT) {
      HandshakeStep step = viewerHandshake.refuse(words);
      if (step.output().length() > 0) viewer.output().write(step.output());
    }
    finish(outcome, words);
  }

  /** Ends the connection; the viewer has been told what the protocol lets it be told. */
  private void finish(Outcome outcome, String reason) {
    if (state == State.CLOSED) return;
    boolean relayed = state == State.RELAYING;
    moveTo(State.CLOSED);
    if (!relayed) services.listener().handshakeFailed(viewer.front(), outcome);
    String user = grant == null ? "-" : grant.user().subject();
    String target = grant == null ? "-" : grant.targetId();
    if (relayed) {
      log.atLevel(outcome.logLevel()).log("connection={} target={} user={} front={} closed ({}): {} ({} bytes to server,"
          + " {} bytes to viewer, {} of them spliced)", id(), target, user, viewer.front(), outcome.label(), reason,
          bytesToServer.get(), bytesToViewer.get(), bytesSpliced.get());
    } else {
      log.atLevel(outcome.logLevel()).log("connection={} target={} user={} front={} remote={} ended before relaying ({}): {}",
          id(), target, user, viewer.front(), viewer.remote(), outcome.label(), reason);
    }
    cancelHandshakeTimer();
    if (idleTimer >= 0) services.vertx().cancelTimer(idleTimer);
    if (setup != null) setup.cancel();
    if (upstream != null) upstream.close();
    if (member != null) {
      // the session's upstream stays open: what this viewer held down must not stay down for the others
      member.leave(relayed && framer != null ? framer.releaseHeld() : Buffer.buffer());
    }
    if (fanOutHold != null) fanOutHold.release();
    if (outcome == Outcome.VIEWER_LEFT) {
      viewer.close();
    } else {
      viewer.close(outcome, reason);
    }
    services.listener().closed(this, outcome, reason);
  }

  /**
   * The gateway is stopping: the viewer is told so (WebSocket close 1001 Going Away with the
   * reason; before ServerInit an RFB failure reason; a native viewer after ServerInit just sees the
   * close) and the audit says so. Safe from any thread.
   */
  public void goingAwayFromAnyThread(String reason) {
    if (context != null) context.runOnContext(v -> end(Outcome.GOING_AWAY, reason));
  }

  /** Ends the connection on an operator's or the session's request; safe from any thread. */
  public void terminateFromAnyThread(String reason) {
    context.runOnContext(v -> end(Outcome.TERMINATED, reason));
  }

  private void moveTo(State next) {
    if (!state.mayMoveTo(next)) throw new IllegalStateException("connection " + id() + ": " + state + " -> " + next);
    log.debug("connection={} {} -> {}", id(), state, next);
    state = next;
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer >= 0) {
      services.vertx().cancelTimer(handshakeTimer);
      handshakeTimer = -1;
    }
  }

  /**
   * Switches the whitelist for this viewer's messages (take-over); applies from the next message,
   * and what the viewer held down that it may no longer send is released on the target at once.
   * From any thread.
   */
  public void policy(MessagePolicy policy) {
    if (framer != null) framer.policy(policy);
    if (member != null) member.policy(policy); // a fan-out session serves the viewer in control first
    Context c = context;
    if (c != null) {
      c.runOnContext(v -> {
        // an empty feed: the framer puts the releases between whole messages, in the stream's order
        if (state == State.RELAYING && toServer != null) toServer.write(Buffer.buffer()).onFailure(this::onRelayFailure);
      });
    }
  }

  public String id() {
    return grant == null ? "-" : grant.connectionId();
  }

  public TicketGrant grant() {
    return grant;
  }

  /** The viewer's address and port, for logs and the audit trail. */
  public String remote() {
    return viewer.remote();
  }

  public Instant startedAt() {
    return startedAt;
  }

  public long bytesToServer() {
    return bytesToServer.get();
  }

  public long bytesToViewer() {
    return bytesToViewer.get();
  }

  /** Of {@link #bytesToViewer()}, those spliced from the target's socket (never in the gateway's memory). */
  public long bytesSpliced() {
    return bytesSpliced.get();
  }
}
