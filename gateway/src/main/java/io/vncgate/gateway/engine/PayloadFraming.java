package io.vncgate.gateway.engine;

import io.vertx.core.buffer.Buffer;

/**
 * What of the server's bytes goes on to the viewer: the relay's server→viewer judge (the RFB
 * server-message framer), without knowing how the bytes travel. It says which ranges of each read
 * to forward, and how much of what comes next is opaque payload it need not see: those bytes may
 * go socket to socket, unread, and it is then told how many went by ({@link #skipped}).
 */
public interface PayloadFraming {

  /** Where the forwarded parts of one read go, in order. */
  interface Output {
    /** Forward bytes {@code [from, to)} of the read being framed. */
    void forward(int from, int to);

    /** Forward bytes held from earlier reads (the first {@code length} of {@code bytes}). */
    void forwardHeld(byte[] bytes, int length);
  }

  /**
   * Frames one read ({@code data}, positions from 0), telling {@code out} what to forward.
   *
   * @throws Exception when the bytes break the protocol: nothing of this read and nothing later is
   *     forwarded
   */
  void feed(Buffer data, Output out) throws Exception;

  /** How many of the next bytes are opaque payload the server has still to send (0 when unknown). */
  long opaqueBytesAhead();

  /**
   * {@code bytes} of that payload went to the viewer without being fed (spliced).
   *
   * @throws Exception when that breaks the protocol
   */
  void skipped(long bytes) throws Exception;
}
