package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The VNC server every path talks to: RFB 3.8 with security None, a 32 bpp true-colour desktop,
 * and two answers. A non-incremental FramebufferUpdateRequest larger than one pixel gets the whole
 * screen as one Raw rectangle (the throughput load); a request for one pixel (or a KeyEvent) gets a
 * 1×1 Raw update at 0,0 (the round trip). An incremental request larger than one pixel is never
 * answered: the desktop does not change, as a real server of a still desktop keeps it pending (a
 * fan-out gateway, the server's only client, asks for that after each update; answering it with the
 * whole screen would make the desktop look entirely new, as fast as the gateway can read it). Updates are prebuilt off-heap and written without copying, so the server costs
 * little next to what it measures. With a {@link ChangingDesktop} ({@link #changing}) it behaves
 * like a busy real desktop instead: incremental requests get what changed (the fan-out benchmark).
 */
final class SyntheticRfbServer {
  static final int BYTES_PER_PIXEL = 4;
  private static final byte[] BANNER = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NAME = "vncgate-bench".getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx;
  private final int width;
  private final int height;
  private final Buffer fullUpdate;
  private final Buffer tinyUpdate;
  private final AtomicInteger connections = new AtomicInteger();
  private ChangingDesktop desktop;
  private double rateHz;
  private NetServer server;

  SyntheticRfbServer(Vertx vertx, int width, int height) {
    this.vertx = vertx;
    this.width = width;
    this.height = height;
    this.fullUpdate = update(width, height);
    this.tinyUpdate = update(1, 1);
  }

  /**
   * From now on, a desktop whose content changes: a {@code blockW}×{@code blockH} block redrawn
   * {@code rateHz} times a second, a marker that changes on each key press (before {@link #listen()}).
   */
  SyntheticRfbServer changing(double rateHz, int blockW, int blockH) {
    this.desktop = new ChangingDesktop(width, height, blockW, blockH);
    this.rateHz = rateHz;
    return this;
  }

  /** The changing desktop's redraws so far (0 for the plain server). */
  long redraws() {
    return desktop == null ? 0 : desktop.redraws();
  }

  /** What the changing desktop does, for the report; null for the plain server. */
  String describe() {
    return desktop == null ? null : desktop.describe(rateHz);
  }

  /** {@code FramebufferUpdate} with one Raw rectangle at 0,0 of w×h, pixels a hash pattern. */
  static Buffer update(int w, int h) {
    int payload = w * h * BYTES_PER_PIXEL;
    ByteBuf b = Unpooled.directBuffer(4 + 12 + payload);
    b.writeByte(0).writeByte(0).writeShort(1);
    b.writeShort(0).writeShort(0).writeShort(w).writeShort(h).writeInt(0);
    for (int i = 0; i < w * h; i++) b.writeInt(i * 0x9E3779B1);
    // never released: the update lives as long as the server and is written many times
    return BufferInternal.buffer(Unpooled.unreleasableBuffer(b));
  }

  static long fullUpdateBytes(int w, int h) {
    return 4 + 12 + (long) w * h * BYTES_PER_PIXEL;
  }

  Future<Integer> listen() {
    if (desktop != null) desktop.start(vertx, rateHz);
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true)
        .setTcpQuickAck(true).setAcceptBacklog(4096));
    return server.connectHandler(this::accept).listen().map(NetServer::actualPort);
  }

  int connections() {
    return connections.get();
  }

  Future<Void> close() {
    if (desktop != null) desktop.stop(vertx);
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void accept(NetSocket socket) {
    connections.incrementAndGet();
    Session session = new Session(socket);
    socket.closeHandler(v -> {
      connections.decrementAndGet();
      if (session.changing != null) desktop.detach(session.changing);
    });
    socket.exceptionHandler(e -> socket.close());
    session.start();
  }

  /** One viewer's connection: handshake, then client messages framed by type. */
  private final class Session {
    private final NetSocket socket;
    private Buffer in = Buffer.buffer();
    private int pos;
    private int step;
    private ChangingDesktop.Viewer changing;

    Session(NetSocket socket) {
      this.socket = socket;
    }

    void start() {
      socket.handler(this::onData);
      socket.write(Buffer.buffer(BANNER));
    }

    private void onData(Buffer data) {
      if (pos == in.length()) {
        in = data;
        pos = 0;
      } else {
        in = in.getBuffer(pos, in.length()).appendBuffer(data);
        pos = 0;
      }
      while (consume()) {
        // one message per step
      }
    }

    private int avail() {
      return in.length() - pos;
    }

    /** Consumes one whole handshake step or client message; false when more bytes are needed. */
    private boolean consume() {
      switch (step) {
        case 0: // ProtocolVersion
          if (avail() < 12) return false;
          pos += 12;
          socket.write(Buffer.buffer(new byte[] {1, 1})); // one type: None
          step = 1;
          return true;
        case 1: // the viewer's security choice
          if (avail() < 1) return false;
          pos += 1;
          socket.write(Buffer.buffer().appendInt(0)); // SecurityResult OK
          step = 2;
          return true;
        case 2: // ClientInit
          if (avail() < 1) return false;
          pos += 1;
          socket.write(serverInit());
          if (desktop != null) changing = desktop.attach(socket);
          step = 3;
          return true;
        default:
          return message();
      }
    }

    private boolean message() {
      if (avail() < 1) return false;
      int type = in.getUnsignedByte(pos);
      int length;
      switch (type) {
        case 0 -> length = 20;                                   // SetPixelFormat
        case 2 -> length = avail() < 4 ? -1 : 4 + 4 * in.getUnsignedShort(pos + 2); // SetEncodings
        case 3 -> length = 10;                                   // FramebufferUpdateRequest
        case 4 -> length = 8;                                    // KeyEvent
        case 5 -> length = 6;                                    // PointerEvent
        case 6 -> length = avail() < 8 ? -1 : 8 + Math.abs(in.getInt(pos + 4)); // ClientCutText
        case 150 -> length = 10;                                 // EnableContinuousUpdates
        case 248 -> length = avail() < 9 ? -1 : 9 + in.getUnsignedByte(pos + 8); // ClientFence
        default -> {
          socket.close();
          return false;
        }
      }
      if (length < 0 || avail() < length) return false;
      if (changing != null) {
        if (type == 3) changing.request(in.getUnsignedByte(pos + 1) != 0);
        else if (type == 4) changing.key(in.getUnsignedByte(pos + 1) != 0);
      } else if (type == 3) {
        int w = in.getUnsignedShort(pos + 6);
        int h = in.getUnsignedShort(pos + 8);
        boolean incremental = in.getUnsignedByte(pos + 1) != 0;
        if (w * h <= 1) socket.write(tinyUpdate);
        else if (!incremental) socket.write(fullUpdate);
        // an incremental one for more than a pixel: nothing changed, nothing to send
      } else if (type == 4) {
        socket.write(tinyUpdate);
      }
      pos += length;
      return true;
    }

    private Buffer serverInit() {
      return Buffer.buffer()
          .appendUnsignedShort(width).appendUnsignedShort(height)
          .appendByte((byte) 32).appendByte((byte) 24).appendByte((byte) 0).appendByte((byte) 1) // bpp, depth, LE, true colour
          .appendUnsignedShort(255).appendUnsignedShort(255).appendUnsignedShort(255)
          .appendByte((byte) 16).appendByte((byte) 8).appendByte((byte) 0)
          .appendBytes(new byte[3])
          .appendInt(NAME.length).appendBytes(NAME);
    }
  }
}
