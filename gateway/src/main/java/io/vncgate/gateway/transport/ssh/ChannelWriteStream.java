package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.transport.TransportException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.sshd.common.io.IoOutputStream;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * Bytes to an SSH channel, as a Vert.x {@link WriteStream}. MINA takes one write at a time (and
 * holds it while the server's window is closed), so writes queue here; the queue counts as full
 * above {@link #setWriteQueueMaxSize} bytes and the drain handler runs once it is half empty.
 * {@link #end()} flushes, then closes the channel. Runs on one context.
 */
final class ChannelWriteStream implements WriteStream<Buffer> {
  static final int DEFAULT_MAX_QUEUE = 128 * 1024;
  private static final int MAX_BATCH = 64 * 1024;

  private record Pending(Buffer data, Promise<Void> promise) {}

  private final Context context;
  private final IoOutputStream out;
  private final Supplier<Future<Void>> closer;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long queuedBytes;
  private int maxQueue = DEFAULT_MAX_QUEUE;
  private boolean writing;
  private boolean needsDrain;
  private Promise<Void> ending;
  private TransportException broken;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;

  ChannelWriteStream(Context context, IoOutputStream out, Supplier<Future<Void>> closer) {
    this.context = context;
    this.out = out;
    this.closer = closer;
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (broken != null) return Future.failedFuture(broken);
    if (ending != null) return Future.failedFuture(new TransportException("the SSH channel is closing"));
    Promise<Void> promise = Promise.promise();
    if (data.length() == 0) {
      promise.complete();
      return promise.future();
    }
    queue.add(new Pending(data, promise));
    queuedBytes += data.length();
    if (queuedBytes >= maxQueue) needsDrain = true;
    pump();
    return promise.future();
  }

  @Override
  public Future<Void> end() {
    if (ending == null) {
      ending = Promise.promise();
      pump();
    }
    return ending.future();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    if (maxSize < 1) throw new IllegalArgumentException("write queue size must be positive: " + maxSize);
    this.maxQueue = maxSize;
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    boolean full = queuedBytes >= maxQueue;
    if (full) needsDrain = true;
    return full;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  /** Bytes accepted but not yet taken by the SSH server's window. */
  long queuedBytes() {
    return queuedBytes;
  }

  /** The channel is gone: pending writes fail. */
  void transportClosed() {
    if (!queue.isEmpty() || writing) {
      breakDown(new TransportException("the SSH channel closed before all data was sent"), List.of());
    }
    if (ending != null) ending.tryComplete();
  }

  private void pump() {
    if (writing || broken != null) return;
    if (queue.isEmpty()) {
      if (ending != null) closer.get().onComplete(ar -> ending.tryComplete());
      return;
    }
    List<Promise<Void>> batch = new ArrayList<>();
    Buffer bytes = Buffer.buffer();
    while (!queue.isEmpty() && (bytes.length() == 0 || bytes.length() + queue.peek().data().length() <= MAX_BATCH)) {
      Pending p = queue.poll();
      bytes.appendBuffer(p.data());
      batch.add(p.promise());
    }
    int size = bytes.length();
    writing = true;
    IoWriteFuture written;
    try {
      written = out.writeBuffer(new ByteArrayBuffer(bytes.getBytes()));
    } catch (IOException | RuntimeException e) {
      writing = false;
      queuedBytes -= size;
      breakDown(new TransportException("writing to the SSH channel failed: " + SshFailures.words(e)), batch);
      return;
    }
    written.addListener(done -> context.runOnContext(v -> onWritten(done, size, batch)));
  }

  private void onWritten(IoWriteFuture done, int size, List<Promise<Void>> batch) {
    writing = false;
    queuedBytes = Math.max(0, queuedBytes - size);
    if (broken != null) {
      batch.forEach(p -> p.tryFail(broken));
      return;
    }
    if (!done.isWritten()) {
      breakDown(new TransportException("writing to the SSH channel failed: " + SshFailures.words(done.getException())),
          batch);
      return;
    }
    batch.forEach(Promise::tryComplete);
    if (needsDrain && queuedBytes <= maxQueue / 2) {
      needsDrain = false;
      Handler<Void> h = drainHandler;
      if (h != null) h.handle(null);
    }
    pump();
  }

  private void breakDown(TransportException error, List<Promise<Void>> batch) {
    boolean first = broken == null;
    broken = error;
    batch.forEach(p -> p.tryFail(error));
    for (Pending p; (p = queue.poll()) != null; ) {
      p.promise().tryFail(error);
    }
    queuedBytes = 0;
    if (first && exceptionHandler != null) exceptionHandler.handle(error);
  }
}
