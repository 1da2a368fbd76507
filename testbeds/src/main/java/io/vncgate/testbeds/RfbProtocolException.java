package io.vncgate.testbeds;

import java.io.IOException;

/** The peer broke the RFB protocol, or offered nothing the test client can use. */
public final class RfbProtocolException extends IOException {

  public RfbProtocolException(String message) {
    super(message);
  }
}
