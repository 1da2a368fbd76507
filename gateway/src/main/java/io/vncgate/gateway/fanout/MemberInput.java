package io.vncgate.gateway.fanout;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The viewer's framed messages on their way to the session: written on the viewer's loop, handled
 * on the session's, in order. Full while the target's socket is (so a pipe pauses the viewer) or
 * while more than {@link #MAX_QUEUED} bytes wait for the session's loop.
 */
final class MemberInput implements WriteStream<Buffer> {
  static final int MAX_QUEUED = 64 * 1024;

  private final FanOutSession session;
  private final Member member;
  private final Context viewerContext;
  private final AtomicLong queued = new AtomicLong();
  private volatile Handler<Void> drainHandler;

  MemberInput(FanOutSession session, Member member, Context viewerContext) {
    this.session = session;
    this.member = member;
    this.viewerContext = viewerContext;
  }

  @Override
  public Future<Void> write(Buffer data) {
    // an incremental update request alone, with nothing before it still on its way: taken here
    if (queued.get() == 0 && member.takeRequest(data)) return Future.succeededFuture();
    Buffer copy = data.copy(); // the framer's output may share the read's buffer, released after this
    queued.addAndGet(copy.length());
    session.context().runOnContext(v -> {
      if (!member.left()) member.onMessages(copy);
      // counted off once handled, so a request taken on the viewer's loop never overtakes a message before it
      long before = queued.getAndAdd(-copy.length());
      if (before > MAX_QUEUED && !session.upstreamFull()) drained();
    });
    return Future.succeededFuture();
  }

  @Override
  public boolean writeQueueFull() {
    return queued.get() > MAX_QUEUED || session.upstreamFull();
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  /** Tells the viewer's pipe, on its loop, that it may read again. */
  void drained() {
    Handler<Void> h = drainHandler;
    if (h != null) viewerContext.runOnContext(h);
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }
}
