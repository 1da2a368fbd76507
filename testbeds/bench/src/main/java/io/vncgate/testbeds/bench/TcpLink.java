package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;

/** RFB straight over TCP. Reads Netty buffers as they come (no copy into Vert.x buffers). */
final class TcpLink implements ViewerLink {
  private final NetSocketInternal socket;

  private TcpLink(NetSocketInternal socket) {
    this.socket = socket;
  }

  static Future<Void> connect(NetClient client, int port, LinkEnd viewer) {
    return client.connect(port, "127.0.0.1").map(s -> {
      NetSocketInternal socket = ViewerLink.largeReads((NetSocketInternal) s);
      TcpLink link = new TcpLink(socket);
      viewer.attach(link);
      socket.messageHandler(msg -> {
        ByteBuf buf = (ByteBuf) msg;
        try {
          viewer.feed(buf);
        } finally {
          buf.release();
        }
      });
      socket.closeHandler(v -> viewer.linkClosed("connection closed"));
      socket.exceptionHandler(e -> viewer.linkClosed("connection error: " + e.getMessage()));
      return null;
    });
  }

  @Override
  public void write(Buffer rfb) {
    socket.write(rfb);
  }

  @Override
  public void close() {
    socket.close();
  }
}
