package io.vncgate.gateway.rfb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServerInitTest {

  private static final byte[] PF = Wire.pixelFormat32();

  @Test
  void encodesSizePixelFormatAndUtf8Name() {
    ServerInit init = new ServerInit(1024, 768, PF, "Büro");
    byte[] expected = Wire.of().hex("0400 0300").raw(PF).u32(5).hex("42 c3bc 72 6f").bytes();
    assertArrayEquals(expected, init.encode().getBytes());
    assertArrayEquals(Wire.serverInit(65535, 0, PF, new byte[0]), new ServerInit(65535, 0, PF, "").encode().getBytes());
  }

  @Test
  void withNameKeepsTheRest() {
    ServerInit renamed = new ServerInit(800, 600, PF, "x").withName("static/lab1");
    assertEquals(new ServerInit(800, 600, PF, "static/lab1"), renamed);
    assertArrayEquals(Wire.serverInit(800, 600, PF, "static/lab1".getBytes(StandardCharsets.UTF_8)),
        renamed.encode().getBytes());
  }

  @Test
  void bitsPerPixelIsTheFirstPixelFormatByte() {
    assertEquals(32, new ServerInit(1, 1, PF, "").bitsPerPixel());
    byte[] pf16 = PF.clone();
    pf16[0] = 16;
    assertEquals(16, new ServerInit(1, 1, pf16, "").bitsPerPixel());
  }

  @Test
  void pixelFormatIsCopiedInAndOut() {
    byte[] pf = PF.clone();
    ServerInit init = new ServerInit(1, 1, pf, "n");
    pf[0] = 8;
    init.pixelFormat()[0] = 8;
    assertEquals(32, init.bitsPerPixel());
    assertEquals(new ServerInit(1, 1, PF, "n"), init);
    assertEquals(new ServerInit(1, 1, PF, "n").hashCode(), init.hashCode());
    assertNotEquals(new ServerInit(1, 1, pf, "n"), init);
  }

  @Test
  void rejectsInvalidFields() {
    assertThrows(IllegalArgumentException.class, () -> new ServerInit(1, 1, new byte[15], "n"));
    assertThrows(IllegalArgumentException.class, () -> new ServerInit(65536, 1, PF, "n"));
    assertThrows(IllegalArgumentException.class, () -> new ServerInit(1, -1, PF, "n"));
    assertThrows(NullPointerException.class, () -> new ServerInit(1, 1, PF, null));
  }
}
