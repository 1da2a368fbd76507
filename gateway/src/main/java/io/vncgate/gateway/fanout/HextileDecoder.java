package io.vncgate.gateway.fanout;

import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.RfbFailure.Cause;

/**
 * The Hextile side of {@link UpstreamDecoder} (RFC 6143 §7.7.4): a rectangle in 16x16 tiles, each
 * read in parts — its subencoding byte, then raw pixels, or the background/foreground/count
 * header and its subrectangles — and painted into the framebuffer as each part is in. The decoder
 * hands over exactly {@link #need()} bytes a part; nothing is held here. Pixels are
 * {@link PixelFormat#GATEWAY}. Background and foreground carry over from tile to tile.
 */
final class HextileDecoder {
  private static final int BPP = 4;

  private enum Part { TILE, RAW, COLOURS, SUBRECTS }

  private Framebuffer framebuffer;
  private int rx;
  private int ry;
  private int rw;
  private int rh;
  private int tilesAcross;
  private int tileIndex;
  private int tileW;
  private int tileH;
  private int subencoding;
  private int background;
  private int foreground;
  private Part part;
  private int need;

  /**
   * Starts a rectangle the caller checked lies inside {@code framebuffer}.
   *
   * @return false when it has no pixels, so nothing to read
   */
  boolean begin(Framebuffer framebuffer, int x, int y, int w, int h) {
    this.framebuffer = framebuffer;
    rx = x;
    ry = y;
    rw = w;
    rh = h;
    tilesAcross = (w + 15) / 16;
    tileIndex = 0;
    if ((long) w * h == 0) return false;
    startTile();
    return true;
  }

  /** How many bytes the next part takes (0 is possible: a tile that repeats the last background). */
  int need() {
    return need;
  }

  /**
   * Reads and paints the next part: {@link #need()} bytes of {@code in} from {@code at}.
   *
   * @return true when the rectangle is done
   * @throws RfbException PROTOCOL_ERROR for a subrectangle outside its tile
   */
  boolean read(byte[] in, int at) throws RfbException {
    return switch (part) {
      case TILE -> tile(in[at] & 0xFF);
      case RAW -> raw(in, at);
      case COLOURS -> colours(in, at);
      case SUBRECTS -> subrects(in, at);
    };
  }

  private void expect(int bytes, Part next) {
    need = bytes;
    part = next;
  }

  private void startTile() {
    tileW = Math.min(16, rw - tileIndex % tilesAcross * 16);
    tileH = Math.min(16, rh - tileIndex / tilesAcross * 16);
    expect(1, Part.TILE);
  }

  /** The tile is painted: true when it was the rectangle's last. */
  private boolean nextTile() {
    tileIndex++;
    if (tileIndex == tilesAcross * ((rh + 15) / 16)) return true;
    startTile();
    return false;
  }

  private int tileOrigin() {
    return (ry + tileIndex / tilesAcross * 16) * framebuffer.width() + rx + tileIndex % tilesAcross * 16;
  }

  private boolean tile(int subencoding) {
    this.subencoding = subencoding;
    if ((subencoding & 1) != 0) {
      expect(tileW * tileH * BPP, Part.RAW);
      return false;
    }
    int header = ((subencoding & 2) != 0 ? BPP : 0) + ((subencoding & 4) != 0 ? BPP : 0) + ((subencoding & 8) != 0 ? 1 : 0);
    expect(header, Part.COLOURS);
    return false;
  }

  private boolean raw(byte[] in, int at) {
    int[] pixels = framebuffer.pixels();
    int stride = framebuffer.width();
    int origin = tileOrigin();
    for (int row = 0; row < tileH; row++) {
      for (int col = 0; col < tileW; col++) {
        pixels[origin + row * stride + col] = PixelFormat.readGateway(in, at + (row * tileW + col) * BPP);
      }
    }
    return nextTile();
  }

  private boolean colours(byte[] in, int at) {
    if ((subencoding & 2) != 0) {
      background = PixelFormat.readGateway(in, at);
      at += BPP;
    }
    if ((subencoding & 4) != 0) {
      foreground = PixelFormat.readGateway(in, at);
      at += BPP;
    }
    int subrects = (subencoding & 8) != 0 ? in[at] & 0xFF : 0;
    ZrleDecoder.fill(framebuffer.pixels(), tileOrigin(), framebuffer.width(), tileW, tileH, background);
    if (subrects == 0) return nextTile();
    expect(subrects * ((subencoding & 16) != 0 ? BPP + 2 : 2), Part.SUBRECTS);
    return false;
  }

  private boolean subrects(byte[] in, int at) throws RfbException {
    boolean coloured = (subencoding & 16) != 0;
    int stop = at + need;
    int origin = tileOrigin();
    int stride = framebuffer.width();
    while (at < stop) {
      int colour = foreground;
      if (coloured) {
        colour = PixelFormat.readGateway(in, at);
        at += BPP;
      }
      int xy = in[at++] & 0xFF;
      int wh = in[at++] & 0xFF;
      int sx = xy >> 4;
      int sy = xy & 15;
      int sw = (wh >> 4) + 1;
      int sh = (wh & 15) + 1;
      if (sx + sw > tileW || sy + sh > tileH) {
        throw new RfbException(Cause.PROTOCOL_ERROR, "sent a Hextile subrectangle " + sw + "x" + sh + " at " + sx + ","
            + sy + " outside its " + tileW + "x" + tileH + " tile");
      }
      ZrleDecoder.fill(framebuffer.pixels(), origin + sy * stride + sx, stride, sw, sh, colour);
    }
    return nextTile();
  }
}
