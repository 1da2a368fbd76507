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
    byte[] key = desKey(password);
    try {
      Cipher des = newCipher();
      des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
      return des.doFinal(challenge16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES failed: " + e.getMessage(), e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** The DES key of {@code password}: its first 8 bytes (zero-padded), each byte's bits reversed. */
  public static byte[] desKey(byte[] password) {
    byte[] key = new byte[8];
    for (int i = 0; i < Math.min(8, password.length); i++) {
      key[i] = (byte) (Integer.reverse(password[i] & 0xFF) >>> 24);
    }
    return key;
  }

  private static Cipher newCipher() {
    try {
      return Cipher.getInstance("DES/ECB/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("DES/ECB/NoPadding is not available in this JDK", e);
    }
  }

  /**
   * A check of one challenge's response against many keys ({@link #desKey}), for finding whose
   * password a viewer used. Made once per response: one cipher (made at the first check), re-keyed
   * per candidate (about a microsecond each, where a cipher per candidate costs ten). Not
   * thread-safe.
   */
  public static final class ResponseCheck {
    private final byte[] challenge;
    private final byte[] response;
    private final byte[] expected = new byte[CHALLENGE_LENGTH];
    private Cipher des;

    private ResponseCheck(byte[] challenge, byte[] response) {
      this.challenge = challenge.clone();
      this.response = response.clone();
    }

    /** Whether the response answers the challenge for {@code desKey}, compared in constant time. */
    public boolean answeredBy(byte[] desKey) {
      if (des == null) des = newCipher();
      try {
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(desKey, "DES"));
        des.doFinal(challenge, 0, CHALLENGE_LENGTH, expected, 0);
        return MessageDigest.isEqual(expected, response);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("DES failed: " + e.getMessage(), e);
      } finally {
        Arrays.fill(expected, (byte) 0);
      }
    }
  }

  /**
   * One challenge encrypted under many keys ({@link #desKey}): the responses each password would
   * give, for indexing tickets by response. One cipher, re-keyed per key. Not thread-safe.
   */
  public static final class ChallengeCipher {
    private final byte[] challenge;
    private final Cipher des;

    private ChallengeCipher(byte[] challenge) {
      this.challenge = challenge.clone();
      this.des = newCipher();
    }

    /** The 16-byte response to the challenge for {@code desKey}, written into {@code out} from offset 0. */
    public void responseInto(byte[] desKey, byte[] out) {
      try {
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(desKey, "DES"));
        des.doFinal(challenge, 0, CHALLENGE_LENGTH, out, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("DES failed: " + e.getMessage(), e);
      }
    }
  }

  /** A {@link ChallengeCipher} for {@code challenge16}, which must be 16 bytes. */
  public static ChallengeCipher encrypting(byte[] challenge16) {
    Objects.requireNonNull(challenge16, "challenge16");
    if (challenge16.length != CHALLENGE_LENGTH) {
      throw new IllegalArgumentException("challenge must be 16 bytes, got " + challenge16.length);
    }
    return new ChallengeCipher(challenge16);
  }

  /** A check of {@code response} to {@code challenge}; null when either is not 16 bytes (it answers nothing). */
  public static ResponseCheck check(byte[] challenge, byte[] response) {
    if (challenge == null || response == null
        || challenge.length != CHALLENGE_LENGTH || response.length != CHALLENGE_LENGTH) {
      return null;
    }
    return new ResponseCheck(challenge, response);
  }

  /** 16 fresh random bytes from a {@link SecureRandom}. */
  public static byte[] newChallenge() {
    byte[] challenge = new byte[CHALLENGE_LENGTH];
    RANDOM.nextBytes(challenge);
    return challenge;
  }

  /** Whether {@code response} answers {@code challenge} for {@code password}, in constant time. */
  public static boolean matches(byte[] challenge, byte[] response, byte[] password) {
    ResponseCheck check = password == null ? null : check(challenge, response);
    if (check == null) return false;
    byte[] key = desKey(password);
    try {
      return check.answeredBy(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }
}
