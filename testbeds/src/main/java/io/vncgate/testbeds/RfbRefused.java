package io.vncgate.testbeds;

import java.io.IOException;

/**
 * The server refused the handshake: security type list {@code n = 0}, 3.3 security type 0, or a
 * failed SecurityResult. {@link #reason()} is the server's text verbatim, or a fixed description
 * when the protocol version carries no reason (3.3/3.7 SecurityResult).
 */
public final class RfbRefused extends IOException {

  private final String reason;
  private final boolean reasonFromServer;

  public RfbRefused(String reason, boolean reasonFromServer) {
    super("server refused: " + reason);
    this.reason = reason;
    this.reasonFromServer = reasonFromServer;
  }

  /** The refusal reason. */
  public String reason() {
    return reason;
  }

  /** True when {@link #reason()} is text the server sent, false when the client made it up. */
  public boolean reasonFromServer() {
    return reasonFromServer;
  }
}
