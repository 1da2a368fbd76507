package io.vncgate.gateway.rfb;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.InflaterInputStream;

/**
 * A clipboard text the relay passed on, as it came: a classic cut text ({@code ClientCutText} or
 * {@code ServerCutText}: ISO 8859-1) or an extended clipboard provide (its flags and zlib stream:
 * for each format bit set, lowest first, a U32 length and the data; text is UTF-8 with a NUL at its
 * end). Only for the audit: the relay never reads it back.
 */
public final class CutText {
  /** The extended clipboard's text format bit. */
  private static final int TEXT = 1;

  private final boolean extended;
  private final int flags;
  private final byte[] data;

  private CutText(boolean extended, int flags, byte[] data) {
    this.extended = extended;
    this.flags = flags;
    this.data = data;
  }

  /** A classic cut text's ISO 8859-1 bytes. */
  public static CutText classic(byte[] latin1) {
    return new CutText(false, 0, latin1);
  }

  /** An extended clipboard provide: its flags and the zlib stream after them. */
  public static CutText provide(int flags, byte[] zlib) {
    return new CutText(true, flags, zlib);
  }

  public boolean extended() {
    return extended;
  }

  /** Whether it holds text (a provide may hold only other formats). */
  public boolean hasText() {
    return !extended || (flags & TEXT) != 0;
  }

  /** Bytes on the wire after the message's header: the text, or the compressed stream. */
  public int wireBytes() {
    return data.length;
  }

  /**
   * The text, as UTF-8 bytes (a classic text converted from ISO 8859-1; an extended one inflated,
   * without its NUL), reading no more than {@code maxBytes} of it.
   *
   * @throws IOException the extended data does not inflate, or is cut short
   */
  public InputStream utf8(long maxBytes) throws IOException {
    if (!extended) return new Latin1ToUtf8(data);
    if (!hasText()) throw new IOException("no text format in the extended clipboard data");
    DataInputStream in = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(data)));
    long length;
    try {
      length = in.readInt() & 0xFFFFFFFFL;
    } catch (EOFException e) {
      throw new IOException("the extended clipboard data ends before its text's length");
    }
    long text = length > 0 ? length - 1 : 0; // the NUL at its end
    return new Limited(in, Math.min(text, maxBytes));
  }

  /** At most {@code left} bytes of {@code in}; cut short is an error. */
  private static final class Limited extends InputStream {
    private final InputStream in;
    private long left;

    Limited(InputStream in, long left) {
      this.in = in;
      this.left = left;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left == 0) return -1;
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) throw new IOException("the extended clipboard text is shorter than its length says");
      left -= n;
      return n;
    }
  }

  /** ISO 8859-1 bytes as UTF-8. */
  private static final class Latin1ToUtf8 extends InputStream {
    private final byte[] latin1;
    private int at;
    private int pending = -1;

    Latin1ToUtf8(byte[] latin1) {
      this.latin1 = latin1;
    }

    @Override
    public int read() {
      if (pending >= 0) {
        int p = pending;
        pending = -1;
        return p;
      }
      if (at == latin1.length) return -1;
      int c = latin1[at++] & 0xFF;
      if (c < 0x80) return c;
      pending = 0x80 | c & 0x3F;
      return 0xC0 | c >> 6;
    }
  }
}
