package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;

/**
 * Collects forwarded ranges: one contiguous run is returned as a slice (no copy); a second run
 * (after a dropped message) switches to copying into a new buffer.
 */
final class ForwardedRuns {
  private int runStart = -1;
  private int runEnd = -1;
  private Buffer joined;

  void add(ByteQueue queue, int length) {
    int start = queue.position();
    if (runStart >= 0 && start != runEnd) {
      flushInto(queue);
      runStart = -1;
    }
    if (runStart < 0) {
      runStart = start;
    }
    runEnd = start + length;
  }

  /** Forwards {@code replacement} in place of the next message of the queue (which the caller skips). */
  void addCopy(ByteQueue queue, Buffer replacement) {
    if (runStart >= 0) {
      flushInto(queue);
      runStart = -1;
    }
    if (joined == null) {
      joined = Buffer.buffer();
    }
    joined.appendBuffer(replacement);
  }

  /** The forwarded bytes; call before the queue settles (slices refer to its buffer). */
  Buffer finish(ByteQueue queue) {
    Buffer result;
    if (joined == null) {
      result = runStart < 0 ? Buffer.buffer() : queue.slice(runStart, runEnd);
    } else {
      if (runStart >= 0) {
        flushInto(queue);
      }
      result = joined;
    }
    reset();
    return result;
  }

  void reset() {
    runStart = -1;
    runEnd = -1;
    joined = null;
  }

  private void flushInto(ByteQueue queue) {
    if (joined == null) {
      joined = Buffer.buffer();
    }
    joined.appendBuffer(queue.slice(runStart, runEnd));
  }
}
