package io.vncgate.gateway.relay;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.failure.Status;
import java.nio.charset.StandardCharsets;

/**
 * A browser on the WebSocket front. Reads binary (and continuation) frames only: a text frame
 * closes the socket with 1003 and a reason, as websockify does. Writes go out as binary messages.
 */
public final class WebSocketViewerChannel implements ViewerChannel {
  /** RFC 6455: a close frame's reason is at most 123 bytes of UTF-8. */
  static final int MAX_CLOSE_REASON_BYTES = 123;

  private final ServerWebSocket ws;
  private final BinaryInput input = new BinaryInput();
  private boolean closing;

  public WebSocketViewerChannel(ServerWebSocket ws) {
    this.ws = ws;
    ws.frameHandler(this::onFrame);
  }

  private void onFrame(WebSocketFrame frame) {
    if (frame.isText()) {
      close((short) 1003, "text frames are not accepted: send RFB in binary frames");
    } else if ((frame.isBinary() || frame.isContinuation()) && input.handler != null && !closing) {
      input.handler.handle(frame.binaryData());
    }
  }

  @Override
  public ReadStream<Buffer> input() {
    return input;
  }

  @Override
  public WriteStream<Buffer> output() {
    return ws;
  }

  @Override
  public void close(Status status, String reason) {
    close(status.closeCode(), reason);
  }

  @Override
  public void close() {
    close((short) 1000, "");
  }

  private void close(short code, String reason) {
    if (closing) return;
    closing = true;
    if (!ws.isClosed()) ws.close(code, truncate(reason));
  }

  /** Cuts a reason to what fits a close frame, on a character boundary. */
  public static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_CLOSE_REASON_BYTES) return reason;
    StringBuilder sb = new StringBuilder();
    int used = 0;
    for (int i = 0; i < reason.length(); ) {
      int cp = reason.codePointAt(i);
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (used + n > MAX_CLOSE_REASON_BYTES - 3) break;
      sb.appendCodePoint(cp);
      used += n;
      i += Character.charCount(cp);
    }
    return sb.append("...").toString();
  }

  @Override
  public String front() {
    return "ws";
  }

  @Override
  public String remote() {
    return String.valueOf(ws.remoteAddress());
  }

  /** The binary payload stream; flow control is the socket's own. */
  private final class BinaryInput implements ReadStream<Buffer> {
    private Handler<Buffer> handler;

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      ws.exceptionHandler(h);
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      ws.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      ws.resume();
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      ws.fetch(amount);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      ws.endHandler(h);
      return this;
    }
  }
}
