package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
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
    return vertx.createNetServer().connectHandler(s -> pump(s, chunk, sent)).listen(0, "127.0.0.1");
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

  private static void pump(NetSocket s, Buffer chunk, AtomicLong sent) {
    while (!s.writeQueueFull()) {
      s.write(chunk);
      sent.addAndGet(chunk.length());
    }
    s.drainHandler(v -> pump(s, chunk, sent));
  }
}
