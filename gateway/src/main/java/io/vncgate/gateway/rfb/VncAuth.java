package io.vncgate.gateway.rfb;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * VNC Authentication (security type 2): DES-ECB over the 16-byte challenge, keyed by the first 8
 * bytes of the password with each byte's bits reversed. Longer passwords are silently truncated,
 * as every server does.
 */
public final class VncAuth {

  public static final int CHALLENGE_LENGTH = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private VncAuth() {}

  /** The response a viewer sends for {@code challenge16}; only the first 8 password bytes count. */
  public static byte[] response(byte[] challenge16, byte[] password) {
    Objects.requireNonNull(challenge16, "challenge16");
    Objects.requireNonNull(password, "password");
    if (challenge16.length != CHALLENGE_LENGTH) {
      throw new IllegalArgumentException("challenge must be 16 bytes, got " + challenge16.length);
    }
    byte[] key = new byte[8];
    for (int i = 0; i < Math.min(8, password.length); i++) {
      key[i] = (byte) (Integer.reverse(password[i] & 0xFF) >>> 24);
    }
    try {
      Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
      des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
      return des.doFinal(challenge16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES/ECB/NoPadding is not available in this JDK", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** 16 fresh random bytes from a {@link SecureRandom}. */
  public static byte[] newChallenge() {
    byte[] challenge = new byte[CHALLENGE_LENGTH];
    RANDOM.nextBytes(challenge);
    return challenge;
  }

  /** Whether {@code response} answers {@code challenge} for {@code password}, in constant time. */
  public static boolean matches(byte[] challenge, byte[] response, byte[] password) {
    if (challenge == null || response == null || password == null
        || challenge.length != CHALLENGE_LENGTH || response.length != CHALLENGE_LENGTH) {
      return false;
    }
    byte[] expected = response(challenge, password);
    boolean equal = MessageDigest.isEqual(expected, response);
    Arrays.fill(expected, (byte) 0);
    return equal;
  }
}
