package io.vncgate.gateway.rfb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Builds test vectors byte by byte, independently of the code under test. */
final class Wire {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  static Wire of() {
    return new Wire();
  }

  Wire u8(int... values) {
    for (int v : values) {
      bytes.write(v & 0xFF);
    }
    return this;
  }

  Wire u16(int v) {
    return u8(v >>> 8, v);
  }

  Wire u16le(int v) {
    return u8(v, v >>> 8);
  }

  Wire u32(long v) {
    return u8((int) (v >>> 24), (int) (v >>> 16), (int) (v >>> 8), (int) v);
  }

  Wire s32(int v) {
    return u32(v & 0xFFFFFFFFL);
  }

  Wire ascii(String s) {
    return raw(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  Wire utf8(String s) {
    return raw(s.getBytes(StandardCharsets.UTF_8));
  }

  Wire hex(String hex) {
    return raw(HexFormat.of().parseHex(hex.replace(" ", "")));
  }

  Wire raw(byte[] b) {
    bytes.writeBytes(b);
    return this;
  }

  Wire zeros(int n) {
    return raw(new byte[n]);
  }

  /** {@code U32 length} then the string as UTF-8. */
  Wire reason(String reason) {
    byte[] b = reason.getBytes(StandardCharsets.UTF_8);
    return u32(b.length).raw(b);
  }

  byte[] bytes() {
    return bytes.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** 32 bpp, depth 24, little-endian, true colour, 255/255/255, shifts 16/8/0. */
  static byte[] pixelFormat32() {
    return of().u8(32, 24, 0, 1).u16(255).u16(255).u16(255).u8(16, 8, 0).zeros(3).bytes();
  }

  /** ServerInit on the wire, built by hand: U16 w, U16 h, pixel format, U32 len, name. */
  static byte[] serverInit(int width, int height, byte[] pixelFormat, byte[] name) {
    return of().u16(width).u16(height).raw(pixelFormat).u32(name.length).raw(name).bytes();
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
