package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vncgate.gateway.transport.TransportException;
import java.io.EOFException;
import org.apache.sshd.common.io.IoInputStream;
import org.apache.sshd.common.io.IoReadFuture;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * Bytes from an SSH channel in async streaming mode, as a Vert.x {@link ReadStream}. At most one
 * MINA read is outstanding, and the next is issued only while there is demand: a paused stream
 * stops reading, MINA stops returning window space, and the SSH server stops sending. Nothing is
 * read before a handler is set, so no byte is lost between connect and pipe. Runs on one context.
 */
final class ChannelReadStream implements ReadStream<Buffer> {
  static final int READ_SIZE = 32 * 1024;

  private final Context context;
  private final IoInputStream in;
  private final Runnable onEnd;
  private final byte[] staging = new byte[READ_SIZE];
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private boolean reading;
  private boolean ended;
  private long readsIssued;

  ChannelReadStream(Context context, IoInputStream in, Runnable onEnd) {
    this.context = context;
    this.in = in;
    this.onEnd = onEnd;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    readMore();
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    if (amount < 0) throw new IllegalArgumentException("negative fetch: " + amount);
    demand = Long.MAX_VALUE - demand <= amount ? Long.MAX_VALUE : demand + amount;
    readMore();
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  /** MINA reads issued so far (tests use it to see that a paused stream stops reading). */
  long readsIssued() {
    return readsIssued;
  }

  boolean ended() {
    return ended;
  }

  private void readMore() {
    if (reading || ended || handler == null || demand == 0) return;
    reading = true;
    readsIssued++;
    IoReadFuture pending;
    try {
      pending = in.read(new ByteArrayBuffer(staging, false));
    } catch (RuntimeException e) {
      reading = false;
      fail(e);
      return;
    }
    pending.addListener(done -> context.runOnContext(v -> onRead(done)));
  }

  private void onRead(IoReadFuture done) {
    reading = false;
    if (ended) return;
    Throwable error = done.getException();
    if (error instanceof EOFException) {
      end();
      return;
    }
    if (error != null) {
      fail(error);
      return;
    }
    int n = done.getRead();
    if (n < 0) {
      end();
      return;
    }
    if (n > 0) {
      if (demand != Long.MAX_VALUE) demand--;
      Handler<Buffer> h = handler;
      if (h != null) h.handle(Buffer.buffer(n).appendBytes(staging, 0, n));
    }
    readMore();
  }

  private void fail(Throwable error) {
    Handler<Throwable> h = exceptionHandler;
    if (h != null) h.handle(new TransportException("reading from the SSH channel failed: " + SshFailures.words(error)));
    end();
  }

  private void end() {
    if (ended) return;
    ended = true;
    // the owner first: it tells its close handler why the channel ended (e.g. the SSH session
    // dropped) before a pipe on this stream completes and its owner assumes a plain close
    onEnd.run();
    Handler<Void> h = endHandler;
    if (h != null) h.handle(null);
  }
}
