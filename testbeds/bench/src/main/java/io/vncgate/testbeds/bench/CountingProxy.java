package io.vncgate.testbeds.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between the gateway and a VNC server that counts what passes: the bytes the server
 * sent (what the gateway read from its upstream, on the wire), the bytes the gateway sent, and the
 * upstream connections (open now, the most open at once, opened in all). Backpressure both ways:
 * a side whose write queue is full stops the other side's reads. Runs on its own event loop.
 */
final class CountingProxy {
  private final Vertx vertx;
  private final int targetPort;
  private final AtomicLong fromServer = new AtomicLong();
  private final AtomicLong toServer = new AtomicLong();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger mostOpen = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private NetServer server;
  private NetClient client;

  CountingProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
  }

  /** Listens on a free loopback port; completes with it. */
  Future<Integer> listen() {
    client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(10_000));
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
    return server.connectHandler(this::accept).listen().map(NetServer::actualPort);
  }

  /** Bytes the VNC server has sent through the proxy so far. */
  long fromServer() {
    return fromServer.get();
  }

  long toServer() {
    return toServer.get();
  }

  int open() {
    return open.get();
  }

  /** The most upstream connections open at once since the last {@link #resetMostOpen()}. */
  int mostOpen() {
    return mostOpen.get();
  }

  void resetMostOpen() {
    mostOpen.set(open.get());
  }

  int opened() {
    return opened.get();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void accept(NetSocket gateway) {
    gateway.pause();
    client.connect(targetPort, "127.0.0.1").onComplete(r -> {
      if (r.failed()) {
        gateway.close();
        return;
      }
      NetSocket target = r.result();
      opened.incrementAndGet();
      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      pipe(target, gateway, fromServer);
      pipe(gateway, target, toServer);
      target.closeHandler(v -> {
        open.decrementAndGet();
        gateway.close();
      });
      gateway.closeHandler(v -> target.close());
      gateway.resume();
    });
  }

  private static void pipe(NetSocket from, NetSocket to, AtomicLong counter) {
    from.handler((Buffer b) -> {
      counter.addAndGet(b.length());
      to.write(b);
      if (to.writeQueueFull()) {
        from.pause();
        to.drainHandler(v -> from.resume());
      }
    });
    from.exceptionHandler(e -> from.close());
  }
}
