package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;

/**
 * Reads what a fan-out session's target sends after ServerInit and applies it to the session's
 * {@link Framebuffer}. The gateway is the target's only RFB client: it sets {@link
 * PixelFormat#GATEWAY} and the encodings of {@link #setEncodings()} right after ServerInit, so the
 * decoder reads exactly those (Raw, CopyRect, Hextile, ZRLE; DesktopSize, ExtendedDesktopSize,
 * LastRect, Cursor, QEMU extended key events) and refuses anything else in words. Bytes may arrive
 * split anywhere; the zlib stream of ZRLE lives as long as the decoder.
 */
public final class UpstreamDecoder {

  /** What the decoder found, called on the caller's thread from within {@link #feed}. */
  public interface Events {
    /** Pixels in this rectangle of the framebuffer changed (called when the rectangle is decoded). */
    void damaged(int x, int y, int w, int h);

    /** A FramebufferUpdate ended: time to ask the target for the next one. */
    void updateDone();

    /**
     * The desktop changed size (DesktopSize or ExtendedDesktopSize); the framebuffer is already
     * resized. {@code screens} is the ExtendedDesktopSize screen list as it came
     * ({@code number-of-screens} U8, 3 padding, then 16 bytes per screen), or null after a plain
     * DesktopSize.
     */
    void resized(int width, int height, Buffer screens);

    /** The pointer's shape changed. */
    void cursor(Cursor cursor);

    void bell();

    /** ServerCutText: the text as it came (Latin-1). */
    void serverCutText(Buffer latin1);

    /** The target acknowledged QEMU extended key events (its pseudo-rectangle came). */
    void qemuExtendedKeys();
  }

  /**
   * @param maxCutText the largest ServerCutText accepted; a longer one is an {@link RfbException}
   */
  public UpstreamDecoder(Framebuffer framebuffer, Events events, int maxCutText) {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** Consumes {@code data}; events fire for every whole unit it completes. */
  public void feed(Buffer data) throws RfbException {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** SetPixelFormat({@link PixelFormat#GATEWAY}), to send the target right after ServerInit. */
  public static Buffer setPixelFormat() {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** SetEncodings with what this decoder reads, best first. */
  public static Buffer setEncodings() {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }

  /** FramebufferUpdateRequest. */
  public static Buffer updateRequest(boolean incremental, int x, int y, int w, int h) {
    throw new UnsupportedOperationException("fan-out codec: not built yet");
  }
}
