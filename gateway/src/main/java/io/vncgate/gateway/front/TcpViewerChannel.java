package io.vncgate.gateway.front;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.engine.ServerTls;
import io.vncgate.gateway.engine.SocketStreams;
import io.vncgate.gateway.engine.ZeroCopy;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.relay.ViewerChannel;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A native viewer on the TCP front. The reason reaches it as the RFB failure written before.
 * Its bytes go through {@link SocketStreams} (server reads relayed without a copy). After
 * VeNCrypt's {@link #startTls} Netty's TLS handler sits in the socket's pipeline: the streams
 * then carry the bytes inside TLS, and the relay reads and writes them (no splice, no bulk reads:
 * both check for that handler).
 */
final class TcpViewerChannel implements ViewerChannel {
  private final NetSocket socket;
  private final SocketStreams streams;
  private final Supplier<ServerTls> tls;

  /**
   * Made on the socket's context, before anything of it is read.
   *
   * @param tls server.tls's pair of the moment, null without one
   */
  TcpViewerChannel(NetSocket socket, Supplier<ServerTls> tls) {
    this.socket = socket;
    this.streams = SocketStreams.viewer(socket);
    this.tls = tls;
  }

  @Override
  public Future<Void> startTls(Buffer goAhead) {
    ServerTls context = tls.get();
    if (context == null) return Future.failedFuture("the TCP front has no certificate (server.tls is not set)");
    return context.start(socket, goAhead).recover(e -> Future.failedFuture(tlsFailure(e)));
  }

  /** Why a viewer's TLS handshake failed, in words, with what to do where the cause is known. */
  static String tlsFailure(Throwable e) {
    Throwable cause = ServerTls.cause(e);
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    String m = message.toLowerCase(Locale.ROOT);
    if (m.contains("unknown_ca") || m.contains("bad_certificate") || m.contains("certificate_unknown")
        || m.contains("certificate_expired") || m.contains("certificate_revoked")) {
      return message + " (the viewer does not accept the gateway's certificate: give it the CA that signed"
          + " server.tls.cert-file, e.g. TigerVNC's -X509CA)";
    }
    if (m.contains("protocol_version") || m.contains("no appropriate protocol") || m.contains("unsupported protocol")) {
      return message + " (the gateway speaks TLS 1.2 and 1.3 only)";
    }
    if (m.contains("not an ssl/tls record")) {
      return "the viewer did not start TLS after choosing VeNCrypt (" + message + ")";
    }
    return message;
  }

  @Override
  public ReadStream<Buffer> input() {
    return streams.input();
  }

  @Override
  public WriteStream<Buffer> output() {
    return streams.output();
  }

  @Override
  public void prepareForRelay(ZeroCopy mode) {
    streams.prepareForRelay(mode);
  }

  @Override
  public void shortQueues() {
    streams.shortQueues();
  }

  @Override
  public void close(Outcome outcome, String reason) {
    close();
  }

  @Override
  public void close() {
    streams.end();
  }

  @Override
  public String front() {
    return "tcp";
  }

  @Override
  public String address() {
    return HttpGuard.addressOf(socket.remoteAddress());
  }

  @Override
  public String remote() {
    return String.valueOf(socket.remoteAddress());
  }
}
