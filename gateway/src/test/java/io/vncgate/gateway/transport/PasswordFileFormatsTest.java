package io.vncgate.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.VncPasswordFile;
import io.vncgate.spi.VncPasswordFile.Format;
import io.vncgate.testbeds.VncPasswd;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Password files in both formats, the obfuscated ones written by TigerVNC's own {@code vncpasswd
 * -f} (the file Xvnc reads with {@code -rfbauth}; the end-to-end check against Xvnc is in
 * OperatorFailuresTest).
 */
class PasswordFileFormatsTest {


  private static String text(VncPasswordFile.Decoded d) {
    return new String(d.password().bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void vncpasswdFilesAreDecodedWhateverThePasswordsLength() throws Exception {
    for (String pw : new String[] {"a", "secret", "8charsXY", "longer-than-eight"}) {
      byte[] file = VncPasswd.of(pw + "\n");
      assertEquals(8, file.length);
      VncPasswordFile.Decoded d = VncPasswordFile.decode(file);
      assertEquals(Format.VNCPASSWD, d.format(), pw);
      assertEquals(pw.length() > 8 ? pw.substring(0, 8) : pw, text(d), "vncpasswd keeps the first 8 bytes, as VNC auth does");
      assertFalse(d.viewOnlyPassword());
      assertEquals(8, file.length);
      assertTrue(java.util.Arrays.equals(new byte[8], file), "the file's bytes are zeroed");
    }
  }

  @Test
  void aSixteenByteFileGivesTheFullAccessPasswordAndSaysItHasAViewOnlyOne() throws Exception {
    byte[] file = VncPasswd.of("full-pw\nview-pw\n");
    assertEquals(16, file.length);
    VncPasswordFile.Decoded d = VncPasswordFile.decode(file);
    assertEquals(Format.VNCPASSWD, d.format());
    assertEquals("full-pw", text(d));
    assertTrue(d.viewOnlyPassword());
  }

  @Test
  void plainTextIsTheFirstLineAndEightPrintableCharactersWithoutNewlineStayText() {
    assertEquals("s3cret", text(VncPasswordFile.decode("s3cret\r\nignored\n".getBytes(StandardCharsets.UTF_8))));
    VncPasswordFile.Decoded eight = VncPasswordFile.decode("abcdefgh".getBytes(StandardCharsets.UTF_8));
    assertEquals(Format.TEXT, eight.format());
    assertEquals("abcdefgh", text(eight));
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> VncPasswordFile.decode(new byte[0]));
    assertEquals("its first line is empty", empty.getMessage());
  }

  @Test
  void manyRandomPasswordsAreToldApartBothWays() throws Exception {
    Random random = new Random(12);
    String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!";
    for (int i = 0; i < 60; i++) {
      StringBuilder pw = new StringBuilder();
      int n = 1 + random.nextInt(8);
      for (int k = 0; k < n; k++) pw.append(chars.charAt(random.nextInt(chars.length())));
      VncPasswordFile.Decoded obfuscated = VncPasswordFile.decode(VncPasswd.of(pw + "\n"));
      assertEquals(Format.VNCPASSWD, obfuscated.format(), pw.toString());
      assertEquals(pw.toString(), text(obfuscated));
      // the same password as text: with a newline, and without one
      assertEquals(Format.TEXT, VncPasswordFile.decode((pw + "\n").getBytes(StandardCharsets.UTF_8)).format());
      assertEquals(Format.TEXT, VncPasswordFile.decode(pw.toString().getBytes(StandardCharsets.UTF_8)).format(), pw.toString());
    }
  }

  @Test
  void theFormatWordsNeverHoldThePassword() throws Exception {
    VncPasswordFile.Decoded d = VncPasswordFile.decode(VncPasswd.of("hidden1\n"));
    assertFalse(d.toString().contains("hidden1"), d.toString());
  }
}
