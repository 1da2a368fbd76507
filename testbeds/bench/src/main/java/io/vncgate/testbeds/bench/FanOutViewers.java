package io.vncgate.testbeds.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The viewers of one fan-out phase, all on one target through the gateway: the controller first
 * (TCP front, its screen decoded so that it can see the effect of its own keys), then observers,
 * every other one a browser (WebSocket front) and the rest native viewers (TCP front). Every
 * viewer asks for ZRLE then Raw at the server's 32 bpp, gets the whole screen once, then keeps one
 * incremental request outstanding, asking again as each update ends: it reads continuously.
 * Called from the main thread; the viewers live on {@code loop}.
 */
final class FanOutViewers {
  /** The key the controller presses for the round trip: 'x'. */
  private static final int KEYSYM = 0x78;
  private static final long READY_TIMEOUT_S = 90;

  /**
   * Where the controller looks for the effect of its key: the pixel at x, y turns from one of the
   * two colours to the other on each key (as the viewer decodes them: the pixel's bytes,
   * little-endian); and where it first puts the pointer (or null).
   */
  record Probe(int x, int y, int colourA, int colourB, int[] pointer) {
    /** The pixel (its colour bits: the padding byte of a 32 bpp pixel is ignored) shows a key since {@code before}. */
    boolean shows(int pixel, int before) {
      int p = pixel & 0xFFFFFF;
      return p != (before & 0xFFFFFF) && (p == colourA || p == colourB);
    }
  }

  /** Counters read from the main thread: complete updates and RFB bytes received, all viewers. */
  record Reading(long nanos, long updates, long bytes, long slowestUpdates) {
  }

  private final NetClient net;
  private final EventLoop loop;
  private final Tickets tickets;
  private final int httpPort;
  private final int tcpPort;
  private final List<RfbViewer> viewers = new ArrayList<>();
  private final List<AtomicLong> updates = new ArrayList<>();
  private volatile RfbViewer controller;
  /** The round trip under way: told of each of the controller's updates (on the loop). */
  private Runnable watcher;
  private int websocketViewers;

  FanOutViewers(NetClient net, EventLoop loop, Tickets tickets, int httpPort, int tcpPort) {
    this.net = net;
    this.loop = loop;
    this.tickets = tickets;
    this.httpPort = httpPort;
    this.tcpPort = tcpPort;
  }

  /**
   * Connects {@code n} viewers to {@code target} (the controller first, on its own, so that it is
   * the session's controller) and returns when every one has its first whole screen.
   */
  void open(String target, int n, Probe probe) {
    List<String> issued = Phases.await(Future.all(java.util.stream.IntStream.range(0, n)
        .mapToObj(i -> tickets.next(target)).toList()).map(cf -> cf.<String>list()), 120, n + " tickets");
    controller = Phases.await(connect(issued.get(0), false, true, probe), READY_TIMEOUT_S, "the controller's first screen");
    List<Future<RfbViewer>> rest = new ArrayList<>();
    Promise<Void> started = Promise.promise();
    loop.execute(() -> {
      for (int i = 1; i < n; i++) rest.add(connect(issued.get(i), i % 2 == 1, false, null));
      started.complete();
    });
    Phases.await(started.future(), 10, "the observers' connects to start");
    Phases.await(Future.all(rest), READY_TIMEOUT_S, (n - 1) + " observers' first screens");
  }

  /** One viewer: its link, the handshake, the first whole screen; completes after that screen. */
  private Future<RfbViewer> connect(String ticket, boolean websocket, boolean decode, Probe probe) {
    Promise<RfbViewer> first = Promise.promise();
    Promise<Future<RfbViewer>> wired = Promise.promise();
    loop.execute(() -> {
      RfbViewer v = new RfbViewer(websocket ? null : ticket);
      v.encodings(RfbViewer.ZRLE, RfbViewer.COPY_RECT, RfbViewer.RAW); // as noVNC and TigerVNC list them
      if (decode) v.decode();
      AtomicLong count = new AtomicLong();
      synchronized (viewers) {
        viewers.add(v);
        updates.add(count);
        if (websocket) websocketViewers++;
      }
      v.listener((viewer, bytes) -> {
        count.incrementAndGet();
        viewer.requestIncremental();
        if (viewer == controller && watcher != null) watcher.run();
        first.tryComplete(viewer);
      });
      Future<Void> linked = websocket
          ? WsLink.connect(net, httpPort, "/ws/v1/connect", List.of("binary", "vncgate.ticket." + ticket), v)
          : TcpLink.connect(net, tcpPort, v);
      linked.compose(x -> v.ready()).onComplete(r -> {
        if (r.failed()) {
          v.linkClosed(r.cause().getMessage());
          first.tryFail(r.cause().getMessage());
          return;
        }
        if (probe != null && probe.pointer() != null) v.pointer(probe.pointer()[0], probe.pointer()[1]);
        v.requestFullScreen();
      });
      v.closed().onComplete(r -> first.tryFail("closed before its first screen: " + r.result()));
      wired.complete(first.future());
    });
    return wired.future().compose(f -> f);
  }

  int size() {
    synchronized (viewers) {
      return viewers.size();
    }
  }

  int websocketViewers() {
    synchronized (viewers) {
      return websocketViewers;
    }
  }

  /** Viewers whose connection ended (none should, while a phase runs). */
  List<String> closedReasons() {
    List<String> out = new ArrayList<>();
    synchronized (viewers) {
      for (RfbViewer v : viewers) {
        if (!v.isOpen()) out.add(v.closed().result());
      }
    }
    return out;
  }

  Reading read() {
    long u = 0;
    long b = 0;
    long slowest = Long.MAX_VALUE;
    synchronized (viewers) {
      for (int i = 0; i < viewers.size(); i++) {
        long c = updates.get(i).get();
        u += c;
        slowest = Math.min(slowest, c);
        b += viewers.get(i).received();
      }
    }
    return new Reading(System.nanoTime(), u, b, slowest == Long.MAX_VALUE ? 0 : slowest);
  }

  /**
   * What the round trips gave: the samples, the keys whose effect never showed within the
   * timeout, and the probe pixel's value before each key (for the report: one of the two colours).
   */
  record RoundTrips(Latencies latencies, int lost, java.util.Set<Integer> seenBefore) {
  }

  /**
   * {@code count} round trips: the controller presses a key and times until one of its own updates
   * shows the probe pixel changed. One at a time, {@code gapMs} (± half) apart; a key whose effect
   * is not seen within {@code timeoutMs} counts as lost.
   */
  RoundTrips roundTrips(Probe probe, int count, long gapMs, long timeoutMs) {
    Latencies l = new Latencies();
    java.util.Set<Integer> seenBefore = java.util.concurrent.ConcurrentHashMap.newKeySet();
    int lost = 0;
    for (int i = 0; i < count; i++) {
      Promise<Long> seen = Promise.promise();
      loop.execute(() -> {
        int before = controller.pixel(probe.x(), probe.y());
        seenBefore.add(before);
        long t0 = System.nanoTime();
        var timeout = loop.schedule(() -> {
          watcher = null;
          seen.tryFail("lost");
        }, timeoutMs, TimeUnit.MILLISECONDS);
        watcher = () -> {
          if (probe.shows(controller.pixel(probe.x(), probe.y()), before)) {
            watcher = null;
            timeout.cancel(false);
            seen.tryComplete(System.nanoTime() - t0);
          }
        };
        controller.key(KEYSYM);
      });
      try {
        l.add(Phases.await(seen.future(), timeoutMs / 1000 + 10, "a round trip"));
      } catch (IllegalStateException e) {
        lost++;
      }
      RelayProcess.sleep(gapMs / 2 + ThreadLocalRandom.current().nextLong(gapMs + 1));
    }
    return new RoundTrips(l, lost, seenBefore);
  }

  /** Closes every viewer and waits (30 s at most) for their connections to end. */
  void close() {
    List<RfbViewer> all;
    synchronized (viewers) {
      all = List.copyOf(viewers);
    }
    loop.execute(() -> all.forEach(RfbViewer::close));
    try {
      Future.join(all.stream().map(RfbViewer::closed).toList()).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a viewer that does not see its close within 30 s is left to the event loop's shutdown
    }
  }
}
