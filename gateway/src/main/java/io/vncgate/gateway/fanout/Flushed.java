package io.vncgate.gateway.fanout;

import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * A deflater's output up to a sync flush, in a buffer that grows as needed and is kept for the
 * next tile: what both encoders do with a tile's data ({@link ZrleEncoder}, {@link TightEncoder}).
 */
final class Flushed {
  private byte[] bytes = new byte[16 * 1024];

  /** Compresses {@code length} bytes of {@code data} with {@code deflater}, sync-flushed; returns how many bytes {@link #bytes()} holds. */
  int deflate(Deflater deflater, byte[] data, int length) {
    deflater.setInput(data, 0, length);
    int n = 0;
    while (true) {
      n += deflater.deflate(bytes, n, bytes.length - n, Deflater.SYNC_FLUSH);
      if (n < bytes.length) return n;
      bytes = Arrays.copyOf(bytes, bytes.length * 2);
    }
  }

  /** The buffer the last {@link #deflate} wrote into (valid until the next). */
  byte[] bytes() {
    return bytes;
  }
}
