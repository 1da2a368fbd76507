package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;

/**
 * A byte stream that passes through while a grammar is followed by its headers alone. The grammar
 * (the subclass) says what comes next — {@link #expect} a header of n bytes (copied into
 * {@link #header}, and forwarded), {@link #pass} n bytes forwarded unread, {@link #skip} n bytes
 * dropped — and {@link #step} is called with the step it named once those bytes are in. A message
 * can be held back from its first byte until it is judged ({@link #holdLastByte}, then
 * {@link #releaseHeld} or {@link #dropHeld}); nothing else is ever buffered.
 *
 * <p>What goes on is told to an {@link ServerMessageFramer.Output} as ranges of the chunk being
 * fed (no copy), and held header bytes that began in an earlier chunk as bytes. One thread.
 *
 * @param <S> the grammar's steps
 */
abstract class HeaderStream<S> {
  static final int HEADER_MAX = 16;

  /** The header being collected, from its first byte. */
  protected final byte[] header = new byte[HEADER_MAX];
  private int need;
  private int have;
  private long run;
  private boolean skipping;
  /** The run being forwarded is also copied here ({@link #watch}); null: not watched. */
  private Buffer watched;
  private S next;

  // a message held back until judged: its first bytes are in `header`; heldInChunk is where it
  // starts in the current chunk, -1 when it started in an earlier one
  private boolean holding;
  private int heldInChunk = -1;

  // the chunk being fed and the forwarded run in it
  private Buffer chunk;
  private int pos;
  private int runStart = -1;
  private ServerMessageFramer.Output out;

  /** The bytes asked for with {@code step} are in: say what comes next. */
  protected abstract void step(S step) throws RfbException;

  /**
   * Runs {@code data} through the grammar, telling {@code output} what goes on, in order. On a
   * grammar error, what came before the bad bytes in this chunk has been told and the error is
   * thrown.
   */
  protected final void stream(Buffer data, ServerMessageFramer.Output output) throws RfbException {
    chunk = data;
    out = output;
    pos = 0;
    runStart = -1;
    if (holding) heldInChunk = -1;
    int length = data.length();
    try {
      while (pos < length) {
        if (run > 0) {
          int n = (int) Math.min(run, length - pos);
          if (skipping) {
            closeRun();
          } else if (runStart < 0) {
            runStart = pos;
          }
          if (watched != null && !skipping) watched.appendBuffer(chunk, pos, n);
          pos += n;
          run -= n;
          if (run > 0) break;
          skipping = false;
          step(next);
        } else {
          collect(length);
          if (have == need) step(next);
        }
      }
      if (!holding) {
        closeRun();
      } else if (heldInChunk >= 0) {
        closeRunAt(heldInChunk); // the held message stays held: what came before it goes now
      }
    } catch (RfbException e) {
      closeRun();
      throw e;
    } finally {
      chunk = null;
      out = null;
    }
  }

  /**
   * Bytes still to come of a run forwarded unread (a rectangle's pixel data, say); 0 when the next
   * bytes are a header, are dropped, or belong to a held message.
   */
  protected final long passing() {
    return skipping || holding || watched != null ? 0 : run;
  }

  /**
   * {@code bytes} of the run ({@code 0 < bytes <= passing()}) went on by another way, unseen, between
   * two chunks; the grammar goes on after them.
   */
  protected final void passedElsewhere(long bytes) throws RfbException {
    if (bytes <= 0 || bytes > passing()) {
      throw new IllegalArgumentException(bytes + " bytes passed elsewhere, " + passing() + " were passing");
    }
    run -= bytes;
    if (run == 0) step(next);
  }

  /** Copies header bytes from the chunk; forwarded with the run unless held. */
  private void collect(int length) {
    int n = Math.min(need - have, length - pos);
    chunk.getBytes(pos, pos + n, header, have);
    if (!holding && runStart < 0) runStart = pos;
    pos += n;
    have += n;
  }

  /** Next: a header of {@code bytes} bytes into {@link #header} from index 0, then {@code then}. */
  protected final void expect(int bytes, S then) {
    need = bytes;
    have = 0;
    next = then;
  }

  /** Next: more header bytes after the ones already collected, up to {@code totalBytes}. */
  protected final void expectMore(int totalBytes, S then) {
    need = totalBytes;
    next = then;
  }

  /** Next: {@code bytes} bytes forwarded without being looked at, then {@code then} (at once when 0). */
  protected final void pass(long bytes, S then) throws RfbException {
    next = then;
    if (bytes == 0) {
      step(then);
    } else {
      run = bytes;
      skipping = false;
    }
  }

  /**
   * Next: {@code bytes} forwarded as {@link #pass} does, and copied (never spliced elsewhere), then
   * {@code then}, which takes the copy with {@link #takeWatched}. For small, rare runs only (a
   * clipboard text within its cap).
   */
  protected final void watch(long bytes, S then) throws RfbException {
    watched = Buffer.buffer((int) Math.min(bytes, 1 << 16));
    pass(bytes, then);
  }

  /** The bytes of the watched run that just ended; the run is not watched any more. */
  protected final Buffer takeWatched() {
    Buffer b = watched;
    watched = null;
    return b == null ? Buffer.buffer() : b;
  }

  /** Next: {@code bytes} (more than 0) dropped as they arrive, then {@code then}. */
  protected final void skip(long bytes, S then) {
    run = bytes;
    skipping = true;
    next = then;
  }

  /** The one header byte just collected starts a message that is held back until judged. */
  protected final void holdLastByte() {
    holding = true;
    heldInChunk = pos - 1;
    if (runStart == heldInChunk) {
      runStart = -1;
    } else if (runStart >= 0) {
      closeRunAt(heldInChunk);
    }
  }

  /** The held message goes on: its first {@code length} bytes (all collected) now, the rest as it comes. */
  protected final void releaseHeld(int length) {
    holding = false;
    if (heldInChunk < 0) {
      out.forwardHeld(header, length);
    } else if (runStart < 0) {
      runStart = heldInChunk;
    }
    heldInChunk = -1;
  }

  /** The held message is dropped: what was collected of it is never forwarded. */
  protected final void dropHeld() {
    holding = false;
    heldInChunk = -1;
  }

  private void closeRun() {
    closeRunAt(pos);
  }

  private void closeRunAt(int end) {
    if (runStart >= 0 && end > runStart) out.forward(runStart, end);
    runStart = -1;
  }

  protected final int u8(int at) {
    return header[at] & 0xFF;
  }

  protected final int u16(int at) {
    return u16(header, at);
  }

  static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
  }

  protected final int s32(int at) {
    return (header[at] & 0xFF) << 24 | (header[at + 1] & 0xFF) << 16 | (header[at + 2] & 0xFF) << 8 | header[at + 3] & 0xFF;
  }

  protected final long u32(int at) {
    return s32(at) & 0xFFFFFFFFL;
  }
}
