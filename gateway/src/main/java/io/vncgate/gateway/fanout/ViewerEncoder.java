package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * One viewer's side of a shared desktop: the pixel format and encodings the viewer asked for, and
 * its own compression state (a ZRLE zlib stream per viewer). Builds whole server→client messages
 * from the session's {@link Framebuffer}: ZRLE when the viewer offered it, else Raw; pseudo
 * rectangles only when the viewer asked for them.
 */
public final class ViewerEncoder {

  /** Pseudo-rectangles to put at the head of one update. */
  public record Extras(
      /** the new size (ExtendedDesktopSize with {@code screens} when the viewer asked for it, else DesktopSize); null: none */
      Rect resize, Buffer screens,
      /** the pointer shape; null: none */
      Cursor cursor,
      /** acknowledge QEMU extended key events */
      boolean qemuExtendedKeys) {
    public static final Extras NONE = new Extras(null, null, null, false);
  }

  public ViewerEncoder() {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** The viewer's SetPixelFormat (already parsed). */
  public void pixelFormat(PixelFormat format) {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** The viewer's SetEncodings, in its order. */
  public void encodings(int[] encodings) {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** Whether the viewer listed this (pseudo-)encoding. */
  public boolean accepts(int encoding) {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /**
   * One FramebufferUpdate: the extras first, then {@code rects} (each inside the framebuffer)
   * from {@code framebuffer} in the viewer's pixel format and best encoding.
   */
  public Buffer update(Framebuffer framebuffer, List<Rect> rects, Extras extras) {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** ServerCutText with {@code latin1}. */
  public static Buffer serverCutText(Buffer latin1) {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** Bell. */
  public static Buffer bell() {
    return Buffer.buffer(new byte[] {2});
  }
}
