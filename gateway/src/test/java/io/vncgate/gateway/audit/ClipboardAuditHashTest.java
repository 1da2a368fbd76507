package io.vncgate.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.rfb.CutText;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

/** What a clipboard line says of a text: its UTF-8 size and hash, the same for both clipboard kinds, and never the text. */
class ClipboardAuditHashTest {

  @Test
  void aClassicAndAnExtendedTextHashAlikeAsUtf8WithLfLineEnds() throws Exception {
    JsonObject classic = ClipboardAudit.describe(new JsonObject(), CutText.classic("Grüße\r\nzwei".getBytes(StandardCharsets.ISO_8859_1)));
    JsonObject extended = ClipboardAudit.describe(new JsonObject(), CutText.provide(0x10000001, zlibText("Grüße\r\nzwei")));
    String expected = sha("Grüße\nzwei");
    assertEquals(expected, classic.getString("sha256"), classic.encode());
    assertEquals(expected, extended.getString("sha256"), extended.encode());
    assertEquals("Grüße\nzwei".getBytes(StandardCharsets.UTF_8).length, classic.getLong("bytes"));
    assertEquals(classic.getLong("bytes"), extended.getLong("bytes"));
    assertEquals("classic", classic.getString("format"));
    assertEquals("extended", extended.getString("format"));
    assertFalse(classic.encode().contains("zwei") || extended.encode().contains("zwei"), "never the text");
  }

  @Test
  void extendedDataThatDoesNotInflateOrHoldsNoTextIsSaidSoWithoutAHash() {
    JsonObject broken = ClipboardAudit.describe(new JsonObject(), CutText.provide(0x10000001, new byte[] {1, 2, 3, 4}));
    assertNull(broken.getString("sha256"));
    assertTrue(broken.getString("cause").endsWith("not hashed"), broken.encode());
    assertEquals(4, broken.getLong("bytes"));
    JsonObject rtfOnly = ClipboardAudit.describe(new JsonObject(), CutText.provide(0x10000002, new byte[] {1, 2}));
    assertNull(rtfOnly.getString("sha256"));
    assertTrue(rtfOnly.getString("cause").contains("no text"), rtfOnly.encode());
  }

  private static byte[] zlibText(String text) throws Exception {
    byte[] utf8 = (text + "\0").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
      d.write(ByteBuffer.allocate(4).putInt(utf8.length).array());
      d.write(utf8);
    }
    return z.toByteArray();
  }

  private static String sha(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
        .substring(0, 16);
  }
}
