package io.vncgate.testbeds.impl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The VNC Authentication response: the 16-byte challenge encrypted with DES/ECB, keyed by the
 * first 8 password bytes (ISO-8859-1, zero padded) with the bits of each byte mirrored.
 */
public final class VncAuthDes {

  private VncAuthDes() {
  }

  public static byte[] response(String password, byte[] challenge) {
    if (challenge.length != 16) {
      throw new IllegalArgumentException("challenge must be 16 bytes, got " + challenge.length);
    }
    try {
      Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
      des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key(password), "DES"));
      return des.doFinal(challenge);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES is not available in this JVM", e);
    }
  }

  static byte[] key(String password) {
    byte[] text = password.getBytes(StandardCharsets.ISO_8859_1);
    byte[] key = new byte[8];
    for (int i = 0; i < key.length && i < text.length; i++) {
      key[i] = mirror(text[i]);
    }
    return key;
  }

  /** Bit 0 becomes bit 7, bit 1 becomes bit 6, and so on. */
  static byte mirror(byte b) {
    int in = b & 0xFF;
    int out = 0;
    for (int bit = 0; bit < 8; bit++) {
      if ((in & (1 << bit)) != 0) {
        out |= 0x80 >>> bit;
      }
    }
    return (byte) out;
  }
}
