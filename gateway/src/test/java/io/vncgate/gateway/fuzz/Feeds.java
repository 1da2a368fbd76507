package io.vncgate.gateway.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Cuts a stream into feeds the way reads arrive: sizes from a seed, mostly small, sometimes large. */
final class Feeds {

  private Feeds() {}

  /** Chunks of {@code stream[from, to)} cut by {@code seed}; 0 gives the whole range as one chunk. */
  static List<byte[]> cut(byte[] stream, int from, int to, int seed) {
    List<byte[]> chunks = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(seed);
    int at = from;
    while (at < to) {
      int n = seed == 0 ? to - at
          : switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(3);
            case 1 -> 1 + random.nextInt(16);
            case 2 -> 1 + random.nextInt(300);
            default -> 1 + random.nextInt(70_000);
          };
      n = Math.min(n, to - at);
      byte[] chunk = new byte[n];
      System.arraycopy(stream, at, chunk, 0, n);
      chunks.add(chunk);
      at += n;
    }
    return chunks;
  }

  /** Every byte on its own. */
  static List<byte[]> single(byte[] stream, int from, int to) {
    List<byte[]> chunks = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) chunks.add(new byte[] {stream[i]});
    return chunks;
  }
}
