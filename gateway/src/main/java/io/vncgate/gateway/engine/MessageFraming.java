package io.vncgate.gateway.engine;

import io.vertx.core.buffer.Buffer;

/**
 * What of the viewer's bytes goes on to the server: the relay's viewer→server judge (the RFB
 * client-message framer and the role's whitelist), without knowing how the bytes travel.
 */
@FunctionalInterface
public interface MessageFraming {

  /**
   * What of {@code in} goes on: {@code in} itself when all of it does unchanged (then the read is
   * forwarded as it came, without a copy), else a buffer of its own or a slice of {@code in}
   * (possibly empty). Nothing returned may refer to {@code in} after the next call.
   *
   * @throws Exception when the bytes break the protocol: nothing more is forwarded
   */
  Buffer pass(Buffer in) throws Exception;
}
