package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Every way the tests cut a byte stream: whole, byte by byte, and each two-way split. Buffers are
 * fresh for every split, so code under test may keep or slice them.
 */
final class Splits {

  record Split(String label, List<byte[]> parts) {
    List<Buffer> buffers() {
      List<Buffer> out = new ArrayList<>(parts.size());
      for (byte[] p : parts) {
        out.add(Buffer.buffer(p));
      }
      return out;
    }
  }

  private Splits() {}

  static List<Split> of(byte[] stream) {
    List<Split> splits = new ArrayList<>();
    splits.add(new Split("whole", List.of(stream.clone())));
    List<byte[]> single = new ArrayList<>();
    for (byte b : stream) {
      single.add(new byte[] {b});
    }
    splits.add(new Split("byte by byte", single));
    for (int at = 1; at < stream.length; at++) {
      byte[] head = new byte[at];
      byte[] tail = new byte[stream.length - at];
      System.arraycopy(stream, 0, head, 0, at);
      System.arraycopy(stream, at, tail, 0, tail.length);
      splits.add(new Split("split at " + at, List.of(head, tail)));
    }
    return splits;
  }

  /** Bytes of the given buffers, concatenated. */
  static byte[] join(List<Buffer> buffers) {
    Buffer all = Buffer.buffer();
    buffers.forEach(all::appendBuffer);
    return all.getBytes();
  }
}
