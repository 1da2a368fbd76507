package io.vncgate.gateway.rfb;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The ServerInit message: framebuffer size, pixel format and desktop name.
 *
 * @param pixelFormat the 16-byte PIXEL_FORMAT exactly as the server sent it (copied in and out)
 */
public record ServerInit(int width, int height, byte[] pixelFormat, String name) {

  public static final int PIXEL_FORMAT_LENGTH = 16;

  /** Bytes before the name: U16 width, U16 height, pixel format, U32 name length. */
  static final int FIXED_LENGTH = 4 + PIXEL_FORMAT_LENGTH + 4;

  public ServerInit {
    if (width < 0 || width > 0xFFFF || height < 0 || height > 0xFFFF) {
      throw new IllegalArgumentException("size out of range: " + width + "x" + height);
    }
    Objects.requireNonNull(pixelFormat, "pixelFormat");
    if (pixelFormat.length != PIXEL_FORMAT_LENGTH) {
      throw new IllegalArgumentException("pixel format must be 16 bytes, got " + pixelFormat.length);
    }
    pixelFormat = pixelFormat.clone();
    Objects.requireNonNull(name, "name");
  }

  @Override
  public byte[] pixelFormat() {
    return pixelFormat.clone();
  }

  /** U16 width, U16 height, PIXEL_FORMAT, U32 name length, name as UTF-8. */
  public Buffer encode() {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(FIXED_LENGTH + nameBytes.length)
        .appendUnsignedShort(width)
        .appendUnsignedShort(height)
        .appendBytes(pixelFormat)
        .appendUnsignedInt(nameBytes.length)
        .appendBytes(nameBytes);
  }

  public ServerInit withName(String name) {
    return new ServerInit(width, height, pixelFormat, name);
  }

  /** The first byte of the pixel format: bits per pixel (8, 16 or 32). */
  public int bitsPerPixel() {
    return pixelFormat[0] & 0xFF;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerInit other
        && width == other.width
        && height == other.height
        && Arrays.equals(pixelFormat, other.pixelFormat)
        && name.equals(other.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(width, height, Arrays.hashCode(pixelFormat), name);
  }

  @Override
  public String toString() {
    return "ServerInit[" + width + "x" + height + ", " + bitsPerPixel() + "bpp, name=" + name + "]";
  }
}
