package io.vncgate.gateway.transport.ssh;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.transport.Upstream;
import org.apache.sshd.client.channel.ChannelDirectTcpip;

/**
 * One {@code direct-tcpip} channel as an {@link Upstream}. Closing it closes the channel, never
 * the shared session. When the channel ends by itself, the close handler gets the session's drop
 * reason ("SSH session to host:port dropped: …") or null when the VNC server simply closed.
 */
final class SshUpstream implements Upstream {
  private final ChannelDirectTcpip channel;
  private final PooledSession pooled;
  private final String description;
  private final ChannelReadStream input;
  private final ChannelWriteStream output;
  private final Promise<Void> closed = Promise.promise();
  private Handler<String> closeHandler;
  private boolean closing;
  private boolean ended;
  private boolean reported;

  SshUpstream(Context context, ChannelDirectTcpip channel, PooledSession pooled, String description) {
    this.channel = channel;
    this.pooled = pooled;
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
      channel.close(false);
    }
    return closed.future();
  }

  @Override
  public String describe() {
    return description;
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
