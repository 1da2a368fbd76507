package io.vncgate.gateway.relay;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.engine.PayloadFraming;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.ServerMessageFramer;

/** The {@link ServerMessageFramer} as the engine's judge of the server→viewer bytes. */
final class ServerFraming implements PayloadFraming {
  private final ServerMessageFramer framer;
  /** Where the read being fed forwards to. */
  private Output to;
  private final ServerMessageFramer.Output bridge = new ServerMessageFramer.Output() {
    @Override
    public void forward(int from, int end) {
      to.forward(from, end);
    }

    @Override
    public void forwardHeld(byte[] bytes, int length) {
      to.forwardHeld(bytes, length);
    }
  };

  ServerFraming(ServerMessageFramer framer) {
    this.framer = framer;
  }

  @Override
  public void feed(Buffer data, Output out) throws RfbException {
    to = out;
    try {
      framer.feed(data, bridge);
    } finally {
      to = null;
    }
  }

  @Override
  public long opaqueBytesAhead() {
    return framer.opaqueBytesAhead();
  }

  @Override
  public void skipped(long bytes) throws RfbException {
    framer.skipped(bytes);
  }
}
