package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vncgate.gateway.transport.TransportException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.channel.StreamingChannel.Streaming;
import org.apache.sshd.common.io.IoInputStream;
import org.apache.sshd.common.io.IoReadFuture;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Reads one small file on an SSH host over an open pooled session: an exec channel running
 * {@code cat -- '<path>'} in the user's login shell, what {@code ssh host "cat -- '<path>'"} does.
 * No SFTP subsystem is needed on the host, and nothing is written there.
 *
 * <p>Asynchronous from end to end: the channel opens through MINA's {@link OpenFuture} listener,
 * stdout and stderr are read with {@link IoInputStream} reads whose listeners hop to the Vert.x
 * context, and the result waits for both streams' end and the channel's close, when the exit
 * status is known. All state lives on that one context. A timer bounds the whole read; more than
 * {@code maxBytes} on stdout ends it at once. Failures are plain words for a user (cat's own stderr
 * line, trimmed and capped, e.g. "No such file or directory"), never the file's contents.
 */
final class RemoteFileRead {
  /** Bytes of stderr kept for the failure message; the rest is read and dropped. */
  static final int MAX_STDERR = 512;
  /** Characters of a stderr line that make it into a message. */
  private static final int MAX_REASON = 200;

  private final Vertx vertx;
  private final Context context;
  private final PooledSession pooled;
  private final String path;
  private final Duration timeout;
  private final byte[] out;
  private final byte[] err = new byte[MAX_STDERR];
  private final byte[] errStaging = new byte[256];
  private final Promise<byte[]> result = Promise.promise();
  private ChannelExec channel;
  private int outCount;
  private int errCount;
  private boolean opened;
  private boolean outEnded;
  private boolean errEnded;
  private boolean closed;
  private long timer = -1;

  private RemoteFileRead(Context context, PooledSession pooled, String path, int maxBytes, Duration timeout) {
    this.vertx = context.owner();
    this.context = context;
    this.pooled = pooled;
    this.path = path;
    this.timeout = timeout;
    // one byte more than allowed: reading it proves the file too large
    this.out = new byte[maxBytes + 1];
  }

  /**
   * Starts reading {@code path} (absolute, validated by the SPI) and completes on {@code context}
   * with the file's bytes, which the caller owns and should zero after use. Call on that context.
   */
  static RemoteFileRead start(Context context, PooledSession pooled, String path, int maxBytes, Duration timeout) {
    if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    RemoteFileRead read = new RemoteFileRead(context, pooled, path, maxBytes, timeout);
    read.open();
    return read;
  }

  Future<byte[]> future() {
    return result.future();
  }

  /** Ends the read now (its connection is closing); a read already done is unaffected. */
  void cancel(String why) {
    context.runOnContext(v -> fail(why));
  }

  /** {@code cat -- '<path>'} with the path single-quoted for any POSIX shell (and bash, zsh, fish). */
  static String command(String path) {
    return "cat -- '" + path.replace("'", "'\\''") + "'";
  }

  private void open() {
    OpenFuture opening;
    try {
      channel = pooled.session().createExecChannel(command(path));
      channel.setStreaming(Streaming.Async);
      // a server that refuses exec answers at once and MINA closes the channel, instead of silence
      CoreModuleProperties.REQUEST_EXEC_REPLY.set(channel, true);
      channel.addCloseFutureListener(f -> context.runOnContext(v -> onClosed()));
      opening = channel.open();
    } catch (IOException | RuntimeException e) {
      if (channel != null) channel.close(true);
      fail("cannot open an SSH exec channel: " + SshFailures.words(e));
      return;
    }
    timer = vertx.setTimer(timeout.toMillis(), id -> {
      timer = -1;
      fail(opened ? "cat did not finish within " + SshFailures.seconds(timeout)
          : "the SSH server did not open an exec channel within " + SshFailures.seconds(timeout));
    });
    opening.addListener(f -> context.runOnContext(v -> {
      if (result.future().isComplete()) return;
      if (f.isOpened()) {
        opened = true;
        read(channel.getAsyncOut(), true);
        read(channel.getAsyncErr(), false);
      } else {
        String dropped = pooled.dropReason();
        fail(dropped != null ? dropped : "cannot open an SSH exec channel: " + SshFailures.channelOpenWords(f.getException()));
      }
    }));
  }

  /** One read on stdout (into {@link #out} where it left off) or stderr; the next one is issued when it lands. */
  private void read(IoInputStream in, boolean stdout) {
    if (result.future().isComplete()) return;
    ByteArrayBuffer target = stdout
        ? new ByteArrayBuffer(out, outCount, out.length - outCount, false)
        : new ByteArrayBuffer(errStaging, false);
    IoReadFuture pending;
    try {
      pending = in.read(target);
    } catch (RuntimeException e) {
      fail("reading the command's output failed: " + SshFailures.words(e));
      return;
    }
    pending.addListener(done -> context.runOnContext(v -> onRead(in, stdout, done)));
  }

  private void onRead(IoInputStream in, boolean stdout, IoReadFuture done) {
    if (result.future().isComplete()) {
      // a late read may still have landed in the buffer
      if (stdout) Arrays.fill(out, (byte) 0);
      return;
    }
    Throwable error = done.getException();
    int n = error == null ? done.getRead() : -1;
    if (error != null && !(error instanceof EOFException)) {
      fail("reading the command's output failed: " + SshFailures.words(error));
      return;
    }
    if (n < 0) {
      if (stdout) outEnded = true;
      else errEnded = true;
      finishIfDone();
      return;
    }
    if (stdout) {
      outCount += n;
      if (outCount == out.length) {
        fail("the file is larger than " + (out.length - 1) + " bytes; it should hold just the VNC password");
        return;
      }
    } else {
      int keep = Math.min(n, err.length - errCount);
      System.arraycopy(errStaging, 0, err, errCount, keep);
      errCount += keep;
    }
    read(in, stdout);
  }

  private void onClosed() {
    closed = true;
    finishIfDone();
  }

  /** Both streams ended and the channel closed: the exit status (or signal) is known by now. */
  private void finishIfDone() {
    if (!outEnded || !errEnded || !closed || result.future().isComplete()) return;
    Integer status = channel.getExitStatus();
    if (status != null && status == 0) {
      cancelTimer();
      byte[] bytes = Arrays.copyOf(out, outCount);
      wipe();
      result.complete(bytes);
      return;
    }
    String dropped = pooled.dropReason();
    if (dropped != null) {
      fail(dropped);
    } else if (status != null) {
      String stderr = reason(new String(err, 0, errCount, StandardCharsets.UTF_8));
      fail(stderr != null ? stderr : "cat exited with status " + status);
    } else if (channel.getExitSignal() != null) {
      fail("cat was killed by signal " + channel.getExitSignal());
    } else {
      fail("the SSH server ran no command or reported no exit status (does it allow exec for this user?)");
    }
  }

  /**
   * The first line of a failed cat's stderr in a few words: cat's own "cat: &lt;path&gt;: " prefix
   * goes, leaving e.g. "No such file or directory"; other lines (a shell's "sh: 1: cat: not
   * found") stay whole. Control characters are dropped and the length is capped. Null when
   * nothing is left.
   */
  static String reason(String stderr) {
    String text = stderr.strip();
    int eol = text.indexOf('\n');
    String line = (eol < 0 ? text : text.substring(0, eol)).strip();
    if (line.startsWith("cat: ")) line = line.substring(line.lastIndexOf(": ") + 2);
    StringBuilder clean = new StringBuilder();
    line.codePoints().filter(c -> !Character.isISOControl(c)).forEach(clean::appendCodePoint);
    String reason = clean.toString().strip();
    if (reason.length() > MAX_REASON) reason = reason.substring(0, MAX_REASON) + "…";
    return reason.isEmpty() ? null : reason;
  }

  private void fail(String why) {
    if (result.future().isComplete()) return;
    cancelTimer();
    wipe();
    result.fail(new TransportException(why));
    if (channel != null && !closed) channel.close(true);
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void wipe() {
    Arrays.fill(out, (byte) 0);
    outCount = 0;
  }
}
