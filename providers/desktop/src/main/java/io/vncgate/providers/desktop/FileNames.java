package io.vncgate.providers.desktop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A desktop's id as one safe file name: letters, digits and '-' kept, every other byte (of UTF-8)
 * as {@code _xx}, so {@code ../x} or {@code a/b} cannot leave the state folder and two ids never
 * share a name; very long ids become a SHA-256 digest.
 */
final class FileNames {
  private FileNames() {}

  static String of(String id) {
    StringBuilder out = new StringBuilder();
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
        out.append(c);
      } else {
        out.append('_').append(HexFormat.of().toHexDigits(b));
      }
    }
    if (out.length() <= 100) return out.toString();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return "h_" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
