package io.vncgate.gateway.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.ClientWebSocketInternal;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * An upstream WebSocket as an {@link Upstream}: the payload of the target's binary (and
 * continuation) frames in, the viewer's bytes out as binary frames of at most the route's frame
 * size, each a whole message (Proxmox reads no continuation frames). Both ways honour
 * backpressure: a paused input pauses the WebSocket (Vert.x then stops reading the socket), and
 * the output reports the socket's write queue.
 *
 * <p>How it ends, as the close handler's reason: a close frame with 1000 (or none given) is a
 * plain end (null); any other code is "target closed the WebSocket: 1011 reason"; a text frame
 * (RFB travels in binary frames) or a connection lost without a close frame is named too.
 * Runs on the context it was connected from.
 */
final class WebSocketUpstream implements Upstream {
  private static final Buffer PING = Buffer.buffer("vncgate");
  private final ClientWebSocket ws;
  private final String description;
  private final int maxFrameBytes;
  private final Input input = new Input();
  private final Output output = new Output();
  private final Promise<Void> closed = Promise.promise();
  private Handler<String> closeHandler;
  private boolean connected;
  private boolean closing;
  private boolean ended;
  private boolean reported;
  private String endReason;
  private Throwable lastError;

  /** Sets the socket's handlers; call before it connects, so no frame comes before them. */
  WebSocketUpstream(ClientWebSocket ws, String description, int maxFrameBytes) {
    this.ws = ws;
    this.description = description;
    this.maxFrameBytes = maxFrameBytes;
    ws.frameHandler(this::onFrame);
    ws.closeHandler(v -> onConnectionClosed());
    ws.exceptionHandler(this::onException);
  }

  /**
   * Pings the target every {@code interval} while the connection is open, so a proxy or load
   * balancer between the gateway and the target that cuts idle connections sees traffic while the
   * desktop sits still (pveproxy and Vert.x answer pongs; websockify too). None while the write
   * queue is full: then the connection is not idle. Zero turns pings off.
   */
  WebSocketUpstream keepAlive(Vertx vertx, Duration interval) {
    if (interval.isZero() || interval.isNegative()) return this;
    long timer = vertx.setPeriodic(interval.toMillis(), id -> {
      if (ws.isClosed()) {
        vertx.cancelTimer(id);
      } else if (!ws.writeQueueFull()) {
        ws.writePing(PING);
      }
    });
    closed.future().onComplete(ar -> vertx.cancelTimer(timer));
    return this;
  }

  /** The upgrade succeeded: nothing is read until the input is. */
  WebSocketUpstream connected() {
    connected = true;
    if (input.demand == 0) ws.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> input() {
    return input;
  }

  @Override
  public WriteStream<Buffer> output() {
    return output;
  }

  @Override
  public Upstream closeHandler(Handler<String> reasonHandler) {
    this.closeHandler = reasonHandler;
    if (input.endDelivered) report();
    return this;
  }

  @Override
  public Future<Void> close() {
    if (!closing) {
      closing = true;
      input.held.clear();
      if (connected && !ws.isClosed()) ws.close();
      else closed.tryComplete();
    }
    return closed.future();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public OptionalLong roundTripMicros() {
    return ws instanceof ClientWebSocketInternal internal ? RoundTrip.micros(internal.channelHandlerContext().channel())
        : OptionalLong.empty();
  }

  /** Frames of at most this many bytes are sent. */
  int maxFrameBytes() {
    return maxFrameBytes;
  }

  private void onFrame(WebSocketFrame frame) {
    if (ended) return;
    if (frame.isBinary() || frame.isContinuation()) {
      Buffer data = frame.binaryData();
      if (data.length() > 0) input.push(data);
    } else if (frame.isText()) {
      finish("the target sent a text WebSocket frame, but RFB travels in binary frames:"
          + " is this a VNC WebSocket, and are the subprotocols right?");
      // 1003: a data type the gateway cannot accept
      if (!ws.isClosed()) ws.close((short) 1003, "RFB travels in binary frames");
    } else if (frame.isClose()) {
      short code = frame.closeStatusCode();
      String reason = frame.closeReason();
      // 1000: a normal end; 1005: the frame gave no code
      finish(code == 1000 || code == 1005 ? null
          : "target closed the WebSocket: " + code + (reason == null || reason.isBlank() ? "" : " " + reason));
    }
  }

  /**
   * The connection's own end comes to {@link #onConnectionClosed}; anything else (a frame over the
   * size cap, broken framing) leaves Vert.x's decoder discarding all that follows: the socket is
   * closed here, with the status RFC 6455 gives it, and the reason names the cause.
   */
  private void onException(Throwable e) {
    lastError = e;
    if (e instanceof HttpClosedException || ended || closing) return;
    String words = WebSocketConnector.words(e);
    finish("the target's WebSocket failed: " + words);
    if (connected && !ws.isClosed()) {
      ws.close((short) (words.contains("larger than") ? 1009 : 1002), "the gateway could not read the frames");
    }
  }

  private void onConnectionClosed() {
    closed.tryComplete();
    if (ended) return;
    // a close frame received but still queued behind frames the relay has not taken (paused):
    // it ends the input in its turn, after them
    if (ws.closeStatusCode() != null && !closing) return;
    finish(lastError != null ? "the target's WebSocket failed: " + WebSocketConnector.words(lastError)
        : "the target's WebSocket connection closed without a close frame");
  }

  private void finish(String reason) {
    if (ended) return;
    ended = true;
    endReason = reason;
    input.end();
  }

  private void report() {
    if (reported || closing || closeHandler == null) return;
    reported = true;
    closeHandler.handle(endReason);
  }

  /** The target's bytes; paused until read. At most the frames Vert.x had already taken wait here. */
  private final class Input implements ReadStream<Buffer> {
    final ArrayDeque<Buffer> held = new ArrayDeque<>();
    long demand;
    boolean ending;
    boolean endDelivered;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;

    void push(Buffer data) {
      if (closing) return;
      held.add(data);
      drain();
    }

    void end() {
      ending = true;
      drain();
    }

    private void drain() {
      while (demand > 0 && handler != null && !held.isEmpty()) {
        if (demand != Long.MAX_VALUE) demand--;
        handler.handle(held.poll());
      }
      if (ending && held.isEmpty() && !endDelivered) {
        endDelivered = true;
        // the owner first: its close handler hears why before a pipe on this stream completes
        report();
        Handler<Void> h = endHandler;
        if (h != null) h.handle(null);
      }
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      // the WebSocket's errors end the input with words (the close handler's reason)
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      this.handler = handler;
      if (handler != null) drain();
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      demand = 0;
      if (connected && !ended) ws.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      if (amount < 0) throw new IllegalArgumentException("negative fetch: " + amount);
      if (amount == 0) return this;
      demand = Long.MAX_VALUE - demand <= amount ? Long.MAX_VALUE : demand + amount;
      drain();
      if (demand > 0 && held.isEmpty() && connected && !ended && !closing) {
        if (demand == Long.MAX_VALUE) ws.resume();
        else ws.fetch(demand);
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      this.endHandler = endHandler;
      return this;
    }
  }

  /** The viewer's bytes, as binary frames of at most {@link #maxFrameBytes}, each a whole message. */
  private final class Output implements WriteStream<Buffer> {
    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (ended || closing || ws.isClosed()) {
        return Future.failedFuture(new TransportException("the target's WebSocket is closed"));
      }
      int length = data.length();
      if (length <= maxFrameBytes) return length == 0 ? Future.succeededFuture() : ws.write(data);
      Future<Void> last = null;
      for (int from = 0; from < length; from += maxFrameBytes) {
        last = ws.write(data.slice(from, Math.min(length, from + maxFrameBytes)));
      }
      return last;
    }

    @Override
    public Future<Void> end() {
      return close();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      ws.setWriteQueueMaxSize(maxSize);
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return !ws.isClosed() && ws.writeQueueFull();
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      ws.drainHandler(handler);
      return this;
    }
  }
}
