package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Collects a header of known length that may arrive split across reads. When the bytes are all in
 * the read buffer it is used as is; only a split header is copied.
 */
final class Gather {
  private final ByteBuf acc = Unpooled.buffer(64);

  /**
   * A buffer with at least {@code n} readable bytes to read exactly {@code n} from, then hand back
   * to {@link #done}; or null when more bytes are needed (what came so far is kept).
   */
  ByteBuf take(ByteBuf in, int n) {
    int have = acc.readableBytes();
    if (have == 0 && in.readableBytes() >= n) return in;
    int k = Math.min(n - have, in.readableBytes());
    acc.writeBytes(in, k);
    return acc.readableBytes() < n ? null : acc;
  }

  void done(ByteBuf taken) {
    if (taken == acc) acc.clear();
  }
}
