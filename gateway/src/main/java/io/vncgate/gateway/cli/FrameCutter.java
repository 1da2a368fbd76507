package io.vncgate.gateway.cli;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.streams.WriteStream;

/**
 * The bridge's writes to the gateway: each buffer as binary frames of at most {@code maxFrame}
 * bytes (RFB is a byte stream: how it is framed does not matter to the gateway, but a frame over
 * its {@code limits.websocket.max-frame} closes the socket). Backpressure is the WebSocket's.
 */
final class FrameCutter implements WriteStream<Buffer> {
  private final WebSocket ws;
  private final int maxFrame;

  FrameCutter(WebSocket ws, int maxFrame) {
    this.ws = ws;
    this.maxFrame = maxFrame;
  }

  @Override
  public Future<Void> write(Buffer data) {
    Future<Void> last = Future.succeededFuture();
    for (int from = 0; from < data.length(); from += maxFrame) {
      Buffer part = from == 0 && data.length() <= maxFrame ? data : data.slice(from, Math.min(data.length(), from + maxFrame));
      last = ws.writeFrame(WebSocketFrame.binaryFrame(part, true));
    }
    return last;
  }

  @Override
  public Future<Void> end() {
    return ws.end();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    ws.exceptionHandler(handler);
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    ws.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    ws.drainHandler(handler);
    return this;
  }
}
