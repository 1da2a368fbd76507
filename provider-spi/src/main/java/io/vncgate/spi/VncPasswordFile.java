package io.vncgate.spi;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * A VNC password file in either format people have: plain text (the password on the first line)
 * or the obfuscated file TigerVNC's and TightVNC's {@code vncpasswd} write ({@code ~/.vnc/passwd}:
 * the password, zero-padded to 8 bytes, DES-encrypted with a fixed, well-known key; a second 8
 * bytes may hold the view-only password, which the gateway does not use). Which one a file is, is
 * told by its shape: 8 or 16 bytes whose first block decrypts to a password (printable ASCII,
 * zero-padded); anything else is text.
 */
public final class VncPasswordFile {
  /** The fixed key of vncpasswd's obfuscation (TigerVNC {@code d3desObfuscationKey}); not a secret. */
  private static final byte[] OBFUSCATION_KEY = {23, 82, 107, 6, 35, 78, 88, 7};
  private static final int BLOCK = 8;

  /** The two formats. */
  public enum Format {
    TEXT("plain text"),
    VNCPASSWD("vncpasswd (obfuscated binary)");

    private final String words;

    Format(String words) {
      this.words = words;
    }

    /** For logs: "plain text" or "vncpasswd (obfuscated binary)". */
    public String words() {
      return words;
    }
  }

  /**
   * A decoded file. {@code viewOnlyPassword}: the file also holds a view-only password (vncpasswd
   * format, 16 bytes), which the gateway ignores. The password is never in {@link #toString()}.
   */
  public record Decoded(Format format, Secret password, boolean viewOnlyPassword) {}

  private VncPasswordFile() {}

  /**
   * Decodes a file's bytes; zeroes {@code file}.
   *
   * @throws IllegalArgumentException "its first line is empty" (also for an empty file); the
   *     message never holds the password
   */
  public static Decoded decode(byte[] file) {
    try {
      if (looksObfuscated(file)) {
        byte[] plain = decrypt(Arrays.copyOf(file, BLOCK));
        int n = 0;
        while (n < BLOCK && plain[n] != 0) n++;
        Secret s = Secret.of(Arrays.copyOf(plain, n));
        Arrays.fill(plain, (byte) 0);
        return new Decoded(Format.VNCPASSWD, s, file.length == 2 * BLOCK);
      }
      int end = 0;
      while (end < file.length && file[end] != '\n') end++;
      if (end > 0 && file[end - 1] == '\r') end--;
      if (end == 0) {
        throw new IllegalArgumentException("its first line is empty");
      }
      byte[] line = Arrays.copyOf(file, end);
      Secret s = Secret.of(line);
      Arrays.fill(line, (byte) 0);
      return new Decoded(Format.TEXT, s, false);
    } finally {
      Arrays.fill(file, (byte) 0);
    }
  }

  /**
   * 8 or 16 bytes whose first block decrypts to 1 to 8 printable ASCII characters followed only by
   * zeros. When the bytes could also be a plain-text password (printable ASCII and line breaks
   * only; an obfuscated block looks like that about once in 2,000), the zero padding decides: an
   * 8-character password has none, so such a file stays text.
   */
  private static boolean looksObfuscated(byte[] file) {
    if (file.length != BLOCK && file.length != 2 * BLOCK) return false;
    boolean asciiText = true;
    for (byte b : file) {
      int c = b & 0xff;
      if (!(c >= 0x20 && c < 0x7f) && c != '\n' && c != '\r' && c != '\t') asciiText = false;
    }
    byte[] plain = decrypt(Arrays.copyOf(file, BLOCK));
    try {
      int n = 0;
      while (n < BLOCK && plain[n] >= 0x20 && plain[n] < 0x7f) n++;
      for (int i = n; i < BLOCK; i++) {
        if (plain[i] != 0) return false;
      }
      return n > 0 && (!asciiText || n < BLOCK);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  private static byte[] decrypt(byte[] block) {
    try {
      // VNC's DES takes each key byte with its bits reversed (d3des), as VNC authentication does
      byte[] key = new byte[BLOCK];
      for (int i = 0; i < BLOCK; i++) key[i] = (byte) (Integer.reverse(OBFUSCATION_KEY[i] & 0xff) >>> 24);
      Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
      des.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "DES"));
      return des.doFinal(block);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES is not available in this JVM", e);
    } finally {
      Arrays.fill(block, (byte) 0);
    }
  }
}
