package io.vncgate.testbeds.bench;

import io.vertx.core.buffer.Buffer;

/** How a bench viewer reaches the VNC server: plain TCP or a WebSocket, carrying RFB bytes. */
interface ViewerLink {

  /** Sends RFB bytes to the server (in a WebSocket link: one masked binary frame). */
  void write(Buffer rfb);

  void close();
}
