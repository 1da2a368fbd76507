package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;

/**
 * The one accumulation buffer of a parser: bytes are appended, read at offsets relative to the
 * read position, then consumed. When nothing is pending the caller's buffer is used as is (no
 * copy); {@link #settle} copies a partial remainder into a buffer this queue owns, so the caller's
 * buffers are never written to and slices handed out earlier never change.
 */
final class ByteQueue {

  private static final int MAX_CAPACITY_HINT = 1 << 20;

  private Buffer buf;
  private int pos;
  private boolean owned;

  void append(Buffer data) {
    if (data.length() == 0) {
      return;
    }
    if (available() == 0) {
      buf = data;
      pos = 0;
      owned = false;
      return;
    }
    if (!owned || pos > 0) {
      own(available() + data.length());
    }
    buf.appendBuffer(data);
  }

  int available() {
    return buf == null ? 0 : buf.length() - pos;
  }

  /** Absolute index of the read position in {@link #slice}'s terms. */
  int position() {
    return pos;
  }

  int u8(int offset) {
    return buf.getUnsignedByte(pos + offset);
  }

  int u16(int offset) {
    return buf.getUnsignedShort(pos + offset);
  }

  int u16le(int offset) {
    return buf.getUnsignedShortLE(pos + offset);
  }

  int s32(int offset) {
    return buf.getInt(pos + offset);
  }

  long u32(int offset) {
    return buf.getUnsignedInt(pos + offset);
  }

  byte[] bytes(int offset, int length) {
    if (length == 0) {
      return new byte[0];
    }
    return buf.getBytes(pos + offset, pos + offset + length);
  }

  /**
   * A view of absolute range [start, end), sharing bytes; valid until the next append. The whole
   * buffer is the buffer itself: a caller's buffer passed on whole stays the one it gave.
   */
  Buffer slice(int start, int end) {
    return start == 0 && end == buf.length() ? buf : buf.slice(start, end);
  }

  void skip(int n) {
    pos += n;
  }

  byte[] take(int n) {
    byte[] b = bytes(0, n);
    pos += n;
    return b;
  }

  /** Everything not consumed, as a new buffer; the queue is empty afterwards. */
  Buffer takeAll() {
    Buffer rest = available() == 0 ? Buffer.buffer() : buf.getBuffer(pos, buf.length());
    clear();
    return rest;
  }

  void clear() {
    buf = null;
    pos = 0;
    owned = false;
  }

  /**
   * Ends a feed: drops consumed bytes and keeps the remainder in an owned buffer, sized for
   * {@code expectedLength} (the pending message) when known.
   */
  void settle(long expectedLength) {
    int rest = available();
    if (rest == 0) {
      clear();
    } else if (!owned || pos > 0) {
      own((int) Math.max(rest, Math.min(expectedLength, MAX_CAPACITY_HINT)));
    }
  }

  private void own(int capacity) {
    int rest = available();
    Buffer mine = Buffer.buffer(capacity);
    if (rest > 0) {
      mine.appendBuffer(buf, pos, rest);
    }
    buf = mine;
    pos = 0;
    owned = true;
  }
}
