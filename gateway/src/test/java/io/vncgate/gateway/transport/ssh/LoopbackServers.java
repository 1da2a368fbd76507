package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Small TCP servers on 127.0.0.1 standing in for a VNC server behind the SSH hop. */
final class LoopbackServers {
  private LoopbackServers() {}

  /** Echoes every byte back. */
  static Future<NetServer> echo(Vertx vertx) {
    return vertx.createNetServer().connectHandler(s -> s.pipeTo(s)).listen(0, "127.0.0.1");
  }

  /** Sends bytes as fast as the connection takes them, counting them. */
  static Future<NetServer> flood(Vertx vertx, AtomicLong sent) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    return vertx.createNetServer().connectHandler(s -> {
      AtomicBoolean ended = new AtomicBoolean();
      s.closeHandler(v -> ended.set(true));
      pump(s, chunk, sent, ended);
    }).listen(0, "127.0.0.1");
  }

  /** Accepts a connection and does not read from it until {@code socket} is resumed by the test. */
  static Future<NetServer> sink(Vertx vertx, AtomicReference<NetSocket> socket, AtomicLong received) {
    return vertx.createNetServer().connectHandler(s -> {
      s.pause();
      s.handler(b -> received.addAndGet(b.length()));
      socket.set(s);
    }).listen(0, "127.0.0.1");
  }

  /** Closes every connection right away (a VNC server that refuses the viewer). */
  static Future<NetServer> closing(Vertx vertx) {
    return vertx.createNetServer().connectHandler(s -> s.write("bye").onComplete(v -> s.close()))
        .listen(0, "127.0.0.1");
  }

  /**
   * Writes until the queue is full, again at each drain, until the connection ends: a write to a
   * closed socket fails at once and never fills the queue, so without {@code ended} this would
   * spin on the event loop (it did, in CI, once the test had closed its side).
   */
  private static void pump(NetSocket s, Buffer chunk, AtomicLong sent, AtomicBoolean ended) {
    while (!ended.get() && !s.writeQueueFull()) {
      s.write(chunk).onFailure(e -> ended.set(true));
      sent.addAndGet(chunk.length());
    }
    if (!ended.get()) s.drainHandler(v -> pump(s, chunk, sent, ended));
  }
}
