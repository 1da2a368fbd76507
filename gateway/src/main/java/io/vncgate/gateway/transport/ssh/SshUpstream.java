package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.transport.TransportException;
import io.vncgate.gateway.transport.Upstream;
import java.time.Duration;
import org.apache.sshd.client.channel.ChannelDirectTcpip;

/**
 * One {@code direct-tcpip} channel as an {@link Upstream}. Closing it closes the channel, never
 * the shared session. When the channel ends by itself, the close handler gets the session's drop
 * reason ("SSH session to host:port dropped: …") or null when the VNC server simply closed.
 * {@link #readRemoteFile} runs {@code cat} on the hop over the same pooled session.
 */
final class SshUpstream implements Upstream {
  private final Context context;
  private final ChannelDirectTcpip channel;
  private final PooledSession pooled;
  private final Duration readTimeout;
  private final String description;
  private final ChannelReadStream input;
  private final ChannelWriteStream output;
  private final Promise<Void> closed = Promise.promise();
  private Handler<String> closeHandler;
  private boolean closing;
  private boolean ended;
  private boolean reported;
  private RemoteFileRead fileRead;

  /** @param readTimeout how long {@link #readRemoteFile} may take, channel open included */
  SshUpstream(Context context, ChannelDirectTcpip channel, PooledSession pooled, String description,
      Duration readTimeout) {
    this.context = context;
    this.channel = channel;
    this.pooled = pooled;
    this.readTimeout = readTimeout;
    this.description = description;
    this.input = new ChannelReadStream(context, channel.getAsyncOut(), this::inputEnded);
    this.output = new ChannelWriteStream(context, channel.getAsyncIn(), this::close);
    channel.addCloseFutureListener(f -> context.runOnContext(v -> channelClosed()));
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
    if (ended) report();
    return this;
  }

  @Override
  public Future<Void> close() {
    if (!closing) {
      closing = true;
      if (fileRead != null) fileRead.cancel("the connection was closed");
      channel.close(false);
    }
    return closed.future();
  }

  @Override
  public String describe() {
    return description;
  }

  /** Runs {@code cat} on this channel's SSH host over the shared session; call on this upstream's context. */
  @Override
  public Future<byte[]> readRemoteFile(String path, int maxBytes) {
    if (closing || ended) return Future.failedFuture(new TransportException("the connection was closed"));
    fileRead = RemoteFileRead.start(context, pooled, path, maxBytes, readTimeout);
    return fileRead.future();
  }

  ChannelReadStream inputStream() {
    return input;
  }

  ChannelWriteStream outputStream() {
    return output;
  }

  private void inputEnded() {
    ended = true;
    report();
  }

  private void channelClosed() {
    output.transportClosed();
    closed.tryComplete();
    if (input.ended()) report();
  }

  private void report() {
    if (reported || closing || closeHandler == null) return;
    reported = true;
    closeHandler.handle(pooled.dropReason());
  }
}
