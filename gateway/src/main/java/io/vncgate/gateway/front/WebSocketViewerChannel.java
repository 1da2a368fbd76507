package io.vncgate.gateway.front;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.engine.WebSocketStreams;
import io.vncgate.gateway.engine.ZeroCopy;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.relay.ViewerChannel;

/**
 * A browser on the WebSocket front. Reads binary (and continuation) frames only: a text frame
 * closes the socket with 1003 and a reason, as websockify does. Its bytes go through
 * {@link WebSocketStreams} (each write one binary frame; server reads relayed without a copy).
 */
final class WebSocketViewerChannel implements ViewerChannel {
  private final ServerWebSocket ws;
  private final WebSocketStreams streams;
  private boolean closing;
  /* the client's address (a trusted proxy's word on it, else the peer's) and its words for logs */
  private final String address;
  private final String remote;

  /**
   * Made on the socket's context, before anything of it is read.
   *
   * @param upgradedFrom the HTTP connection the WebSocket came from: how its Netty channel is found
   *     when {@code ws} is a wrapper (vertx-web wraps the sockets of routed upgrades)
   */
  WebSocketViewerChannel(ServerWebSocket ws, HttpConnection upgradedFrom, String address, String remote) {
    this.ws = ws;
    this.address = address;
    this.remote = remote;
    this.streams = new WebSocketStreams(ws, upgradedFrom,
        () -> close((short) 1003, "text frames are not accepted: send RFB in binary frames"));
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
    close(outcome.closeCode(), reason);
  }

  @Override
  public void close() {
    close((short) 1000, "");
  }

  private void close(short code, String reason) {
    if (closing) return;
    closing = true;
    streams.closing();
    if (!ws.isClosed()) ws.close(code, WebSocketStreams.truncate(reason));
  }

  @Override
  public String front() {
    return "ws";
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public String remote() {
    return remote;
  }
}
