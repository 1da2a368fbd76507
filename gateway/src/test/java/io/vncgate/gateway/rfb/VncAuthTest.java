package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class VncAuthTest {

  static final byte[] CHALLENGE_00_0F = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

  /**
   * Derived once with OpenSSL 3 ({@code openssl enc -des-ecb -nopad -K 0E86CECEEEF64E26 -provider
   * legacy}), key = "password" with each byte's bits reversed.
   */
  static final byte[] PASSWORD_RESPONSE = HexFormat.of().parseHex("b866924125c8eebb9debc1db61c538e2");

  /** An implementation independent of VncAuth: bits reversed by a loop, DES per 8-byte block. */
  static byte[] desResponse(byte[] challenge, byte[] password) throws Exception {
    byte[] key = new byte[8];
    for (int i = 0; i < 8 && i < password.length; i++) {
      int b = password[i] & 0xFF;
      int reversed = 0;
      for (int bit = 0; bit < 8; bit++) {
        if ((b & (1 << bit)) != 0) {
          reversed |= 1 << (7 - bit);
        }
      }
      key[i] = (byte) reversed;
    }
    Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
    des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
    byte[] out = new byte[16];
    des.doFinal(challenge, 0, 8, out, 0);
    des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
    des.doFinal(challenge, 8, 8, out, 8);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void responseMatchesTheFixedVectorDerivedWithOpenSsl() {
    assertArrayEquals(PASSWORD_RESPONSE, VncAuth.response(CHALLENGE_00_0F, ascii("password")));
  }

  @Test
  void responseMatchesAnIndependentImplementation() throws Exception {
    assertArrayEquals(desResponse(CHALLENGE_00_0F, ascii("password")),
        VncAuth.response(CHALLENGE_00_0F, ascii("password")));
    byte[] challenge = VncAuth.newChallenge();
    for (String pw : new String[] {"", "a", "secret", "12345678", "\u00ff\u0080x"}) {
      assertArrayEquals(desResponse(challenge, ascii(pw)), VncAuth.response(challenge, ascii(pw)), pw);
    }
  }

  @Test
  void onlyTheFirstEightPasswordBytesCount() {
    assertArrayEquals(VncAuth.response(CHALLENGE_00_0F, ascii("password")),
        VncAuth.response(CHALLENGE_00_0F, ascii("password-is-longer")));
    assertFalse(Arrays.equals(VncAuth.response(CHALLENGE_00_0F, ascii("passwor")),
        VncAuth.response(CHALLENGE_00_0F, ascii("password"))));
  }

  @Test
  void responseRejectsAChallengeThatIsNot16Bytes() {
    assertThrows(IllegalArgumentException.class, () -> VncAuth.response(new byte[15], ascii("x")));
  }

  @Test
  void matchesAcceptsTheRightResponseOnly() {
    byte[] pw = ascii("password");
    assertTrue(VncAuth.matches(CHALLENGE_00_0F, PASSWORD_RESPONSE, pw));
    byte[] wrong = PASSWORD_RESPONSE.clone();
    wrong[15] ^= 1;
    assertFalse(VncAuth.matches(CHALLENGE_00_0F, wrong, pw));
    assertFalse(VncAuth.matches(CHALLENGE_00_0F, PASSWORD_RESPONSE, ascii("Password")));
    assertFalse(VncAuth.matches(CHALLENGE_00_0F, Arrays.copyOf(PASSWORD_RESPONSE, 15), pw));
    assertFalse(VncAuth.matches(CHALLENGE_00_0F, null, pw));
    assertFalse(VncAuth.matches(new byte[8], PASSWORD_RESPONSE, pw));
  }

  @Test
  void newChallengeIs16FreshRandomBytes() {
    byte[] a = VncAuth.newChallenge();
    byte[] b = VncAuth.newChallenge();
    assertEquals(16, a.length);
    assertEquals(16, b.length);
    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void challengeCipherGivesTheOpenSslReferenceResponseForEveryKeyItIsGiven() {
    VncAuth.ChallengeCipher des = VncAuth.encrypting(CHALLENGE_00_0F);
    byte[] out = new byte[16];
    des.responseInto(VncAuth.desKey("password".getBytes(StandardCharsets.US_ASCII)), out);
    assertArrayEquals(PASSWORD_RESPONSE, out);
    des.responseInto(VncAuth.desKey("other-pw".getBytes(StandardCharsets.US_ASCII)), out);
    assertArrayEquals(VncAuth.response(CHALLENGE_00_0F, "other-pw".getBytes(StandardCharsets.US_ASCII)), out);
    des.responseInto(VncAuth.desKey("password".getBytes(StandardCharsets.US_ASCII)), out);
    assertArrayEquals(PASSWORD_RESPONSE, out, "re-keyed, not stuck on the previous key");
    assertThrows(IllegalArgumentException.class, () -> VncAuth.encrypting(new byte[8]));
  }
}
