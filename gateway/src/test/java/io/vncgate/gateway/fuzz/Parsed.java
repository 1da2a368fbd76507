package io.vncgate.gateway.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a reference reader (the real peer's parsing, rewritten in the test) made of a byte stream:
 * the whole messages it read, in order, and how the stream ended for it.
 */
final class Parsed {

  /** How reading stopped. */
  enum End {
    /** Every byte was read as whole messages. */
    COMPLETE,
    /** The last message is incomplete: the peer waits for more bytes. */
    PARTIAL,
    /** The peer gives up here (unknown message, error) and closes: nothing after is read. */
    CLOSED
  }

  /** One message as the peer read it: offset and length in the stream, and what it was. */
  record Message(int type, int offset, int length, String what) {
    int end() {
      return offset + length;
    }
  }

  /** A part of a message the peer read (a rectangle), to name where two readers part ways. */
  record Part(int offset, int end, String what) {}

  final List<Message> messages = new ArrayList<>();
  final List<Part> parts = new ArrayList<>();
  End end = End.COMPLETE;
  String why = "";

  /** A reference reader's step: reads one whole message at the reader's position and names it. */
  @FunctionalInterface
  interface MessageReader {
    String read(Reader r) throws Short, Closed;
  }

  /**
   * Reads {@code stream} message by message, as the peer does, until it ends or the peer would
   * close; {@code where} words the offset in a close reason (" at offset ").
   */
  static Parsed readAll(byte[] stream, String where, Function<Parsed, MessageReader> reader) {
    Parsed p = new Parsed();
    MessageReader step = reader.apply(p);
    Reader r = new Reader(stream);
    while (r.pos < stream.length) {
      int start = r.pos;
      int type = stream[start] & 0xFF;
      try {
        String what = step.read(r);
        p.messages.add(new Message(type, start, r.pos - start, what));
      } catch (Short s) {
        p.end = End.PARTIAL;
        return p;
      } catch (Closed c) {
        p.end = End.CLOSED;
        p.why = c.getMessage() + where + start;
        return p;
      }
    }
    return p;
  }

  /** Signals that the stream ends inside the message being read. */
  static final class Short extends Exception {
    private static final long serialVersionUID = 1L;
    static final Short INSTANCE = new Short();

    private Short() {
      super(null, null, false, false);
    }
  }

  /** Signals that the peer would close the connection here. */
  static final class Closed extends Exception {
    private static final long serialVersionUID = 1L;

    Closed(String why) {
      super(why, null, false, false);
    }
  }

  /** Big-endian reads over the stream that throw {@link Short} past its end. */
  static final class Reader {
    final byte[] b;
    int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    void need(long n) throws Short {
      if (n < 0 || pos + n > b.length) throw Short.INSTANCE;
    }

    int u8() throws Short {
      need(1);
      return b[pos++] & 0xFF;
    }

    int peek8(int at) throws Short {
      need(at + 1L);
      return b[pos + at] & 0xFF;
    }

    int u16() throws Short {
      need(2);
      int v = (b[pos] & 0xFF) << 8 | b[pos + 1] & 0xFF;
      pos += 2;
      return v;
    }

    int s32() throws Short {
      need(4);
      int v = (b[pos] & 0xFF) << 24 | (b[pos + 1] & 0xFF) << 16 | (b[pos + 2] & 0xFF) << 8 | b[pos + 3] & 0xFF;
      pos += 4;
      return v;
    }

    long u32() throws Short {
      return s32() & 0xFFFFFFFFL;
    }

    void skip(long n) throws Short {
      need(n);
      pos += (int) n;
    }
  }
}
