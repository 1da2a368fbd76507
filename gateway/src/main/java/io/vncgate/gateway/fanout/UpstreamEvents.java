package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;

/** What an {@link UpstreamDecoder} found, called on the caller's thread from within {@link UpstreamDecoder#feed}. */
public interface UpstreamEvents {
  /** Pixels in this rectangle of the framebuffer changed (called when the rectangle is decoded). */
  void damaged(int x, int y, int w, int h);

  /**
   * A CopyRect came: the framebuffer already has {@code w x h} pixels from {@code srcX, srcY}
   * copied to {@code x, y}. By default, the destination is damaged.
   */
  default void copied(int srcX, int srcY, int x, int y, int w, int h) {
    damaged(x, y, w, h);
  }

  /** A FramebufferUpdate ended: time to ask the target for the next one. */
  void updateDone();

  /**
   * A DesktopSize or ExtendedDesktopSize rectangle came; the framebuffer is already resized (to
   * the same size when it did not change: an ExtendedDesktopSize also comes as the answer to
   * SetEncodings and to SetDesktopSize, and its screens may change alone). {@code screens} is
   * the ExtendedDesktopSize screen list as it came ({@code number-of-screens} U8, 3 padding, then
   * 16 bytes per screen; a copy), or null after a plain DesktopSize.
   */
  void resized(int width, int height, Buffer screens);

  /** The pointer's shape changed. */
  void cursor(Cursor cursor);

  void bell();

  /** ServerCutText: the text as it came (Latin-1), no longer than the decoder's limit. */
  void serverCutText(Buffer latin1);

  /**
   * A ServerCutText of {@code length} bytes, more than the decoder's limit, came: its text is
   * skipped as it arrives (never held), and the session goes on.
   */
  void cutTextDropped(int length);

  /** The target acknowledged QEMU extended key events (its pseudo-rectangle came). */
  void qemuExtendedKeys();
}
