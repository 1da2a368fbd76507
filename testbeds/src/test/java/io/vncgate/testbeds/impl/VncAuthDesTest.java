package io.vncgate.testbeds.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The real check is against Xvnc (XvncServerTest); these pin the key schedule rules. */
class VncAuthDesTest {

  @Test
  void eachKeyByteHasItsBitsMirrored() {
    assertEquals((byte) 0x80, VncAuthDes.mirror((byte) 0x01));
    assertEquals((byte) 0x60, VncAuthDes.mirror((byte) 0x06));
    assertEquals((byte) 0xff, VncAuthDes.mirror((byte) 0xff));
    assertArrayEquals(new byte[] {(byte) 0x86, (byte) 0x46, 0, 0, 0, 0, 0, 0}, VncAuthDes.key("ab"));
  }

  @Test
  void onlyTheFirstEightPasswordBytesCount() {
    byte[] challenge = new byte[16];
    assertArrayEquals(VncAuthDes.response("12345678", challenge),
        VncAuthDes.response("12345678-ignored", challenge));
    assertThrows(IllegalArgumentException.class, () -> VncAuthDes.response("x", new byte[8]));
  }
}
