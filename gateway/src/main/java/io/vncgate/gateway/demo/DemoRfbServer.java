package io.vncgate.gateway.demo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.time.Clock;

/**
 * The demo desktop's RFB server: RFB 3.8 (3.3 and 3.7 too), security type None, loopback only.
 * One verticle, so the desktop and every viewer session share one event loop and need no locks.
 */
public final class DemoRfbServer extends VerticleBase {
  static final String NAME = "vncgate demo desktop";
  private static final long TICK_MS = 50;

  private final TextPainter text;
  private final Clock clock;
  private DemoDesktop desktop;
  private NetServer server;
  private long timer = -1;

  /** Chooses how to draw text (JDK fonts or the bitmap font) now, off the event loop. */
  public DemoRfbServer() {
    this(TextPainter.choose(), Clock.systemDefaultZone());
  }

  DemoRfbServer(TextPainter text, Clock clock) {
    this.text = text;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    desktop = new DemoDesktop(clock, text);
    timer = vertx.setPeriodic(TICK_MS, id -> desktop.tick());
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true).setTcpQuickAck(true));
    server.connectHandler(socket -> new DemoRfbSession(socket, desktop).start());
    return server.listen();
  }

  /** The loopback port viewers (the gateway) connect to. */
  public int port() {
    return server.actualPort();
  }

  /** How the desktop draws text: "JDK fonts" or "built-in bitmap font". */
  public String textRendering() {
    return text.describe();
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    return server == null ? Future.succeededFuture() : server.close();
  }
}
