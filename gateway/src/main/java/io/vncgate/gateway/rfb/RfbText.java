package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Text on the wire: untrusted strings in, bounded strings out. */
final class RfbText {

  /** Longest failure reason read from a server or written to a viewer, in bytes. */
  static final int MAX_REASON_BYTES = 1024;

  /** How many received bytes a "did not speak RFB" message shows. */
  private static final int MAX_SHOWN_BYTES = 40;

  private RfbText() {}

  /**
   * Decodes a server-supplied string: UTF-8 when valid, else Latin-1; line breaks and tabs become
   * one space, other control and format characters (e.g. bidi overrides) are removed.
   */
  static String decode(byte[] bytes) {
    String raw;
    try {
      raw = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      raw = new String(bytes, StandardCharsets.ISO_8859_1);
    }
    StringBuilder clean = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\n' || c == '\r' || c == '\t') {
        if (clean.length() > 0 && clean.charAt(clean.length() - 1) != ' ') {
          clean.append(' ');
        }
      } else if (!Character.isISOControl(c) && Character.getType(c) != Character.FORMAT) {
        clean.append(c);
      }
    }
    return clean.toString().strip();
  }

  /**
   * Shows bytes that should have been an RFB banner: the first line, printable ASCII as is,
   * anything else as {@code \xHH}, at most 40 bytes then "...".
   */
  static String printable(byte[] bytes, int length) {
    int end = length;
    for (int i = 0; i < length; i++) {
      if ((bytes[i] == '\r' || bytes[i] == '\n') && i > 0) {
        end = i;
        break;
      }
    }
    int shown = Math.min(end, MAX_SHOWN_BYTES);
    StringBuilder sb = new StringBuilder(shown + 8);
    for (int i = 0; i < shown; i++) {
      int b = bytes[i] & 0xFF;
      if (b >= 0x20 && b < 0x7F) {
        sb.append((char) b);
      } else {
        sb.append(String.format("\\x%02x", b));
      }
    }
    if (shown < end) {
      sb.append("...");
    }
    return sb.toString();
  }

  /** Encodes a reason for a viewer as UTF-8, cut at a character boundary to 1024 bytes. */
  static byte[] encodeReason(String reason) {
    CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    ByteBuffer out = ByteBuffer.allocate(MAX_REASON_BYTES);
    encoder.encode(CharBuffer.wrap(reason), out, true);
    byte[] bytes = new byte[out.position()];
    out.flip().get(bytes);
    return bytes;
  }

  /** {@code U32 length} followed by the reason. */
  static Buffer reasonString(String reason) {
    byte[] bytes = encodeReason(reason);
    return Buffer.buffer(4 + bytes.length).appendUnsignedInt(bytes.length).appendBytes(bytes);
  }
}
