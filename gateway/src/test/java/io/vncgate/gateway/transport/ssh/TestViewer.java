package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.transport.Upstream;

/**
 * Plays the relay's part on an {@link Upstream} in tests: collects what arrives, reads exact byte
 * counts, writes, and records the close reason. Use it on the upstream's context.
 */
final class TestViewer {
  final Upstream upstream;
  private final Buffer received = Buffer.buffer();
  private final Promise<String> closeReason = Promise.promise();
  private final Promise<Void> ended = Promise.promise();
  private int consumed;
  private int wanted;
  private Promise<Buffer> reading;

  TestViewer(Upstream upstream) {
    this.upstream = upstream;
    upstream.closeHandler(closeReason::tryComplete);
    upstream.input().endHandler(v -> ended.tryComplete());
    upstream.input().handler(this::onData);
  }

  /** The next {@code n} bytes from the VNC server. */
  Future<Buffer> read(int n) {
    reading = Promise.promise();
    wanted = n;
    Future<Buffer> f = reading.future();
    check();
    return f;
  }

  Future<Void> write(String ascii) {
    return upstream.output().write(Buffer.buffer(ascii));
  }

  Future<Void> write(Buffer data) {
    return upstream.output().write(data);
  }

  /** Completes with the close handler's reason (may be null). */
  Future<String> closeReason() {
    return closeReason.future();
  }

  Future<Void> ended() {
    return ended.future();
  }

  int receivedBytes() {
    return received.length();
  }

  private void onData(Buffer data) {
    received.appendBuffer(data);
    check();
  }

  private void check() {
    if (reading != null && received.length() - consumed >= wanted) {
      Buffer out = received.getBuffer(consumed, consumed + wanted);
      consumed += wanted;
      Promise<Buffer> p = reading;
      reading = null;
      p.complete(out);
    }
  }
}
