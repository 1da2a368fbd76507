package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;

/** The RFB end of a {@link ViewerLink}: a bench viewer ({@link RfbViewer}, {@link NoVncViewer}). */
interface LinkEnd {
  /** The link is up: RFB bytes to the server go through it. */
  void attach(ViewerLink link);

  /** Bytes from the server, in order; {@code in} is only valid during the call. */
  void feed(ByteBuf in);

  /** The link ended, with why. */
  void linkClosed(String reason);
}
