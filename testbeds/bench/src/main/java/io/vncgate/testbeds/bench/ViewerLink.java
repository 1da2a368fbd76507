package io.vncgate.testbeds.bench;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;

/** How a bench viewer reaches the VNC server: plain TCP or a WebSocket, carrying RFB bytes. */
interface ViewerLink {

  /** Sends RFB bytes to the server (in a WebSocket link: one masked binary frame). */
  void write(Buffer rfb);

  void close();

  /**
   * The largest read of a bench viewer. Netty's default (64 KiB) would make the viewer spend about
   * a third more CPU per GB than it needs to (syscalls per byte), CPU that the relay being
   * measured shares on a small machine; every path gets the same viewer.
   */
  int MAX_READ_BYTES = 1024 * 1024;

  /** Lets the socket read up to {@link #MAX_READ_BYTES} at a time (it still shrinks for small messages). */
  static NetSocketInternal largeReads(NetSocketInternal socket) {
    socket.channelHandlerContext().channel().config()
        .setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES));
    return socket;
  }
}
