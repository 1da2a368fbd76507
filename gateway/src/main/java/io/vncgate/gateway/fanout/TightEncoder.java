package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Tight (encoding 7, as TigerVNC's and noVNC's decoders read it), a rectangle per 64x64 tile,
 * for a viewer whose pixel format has 3-byte TPIXELs (32 bpp, depth 24, true colour, 8 bits a
 * channel: red, green, blue on the wire whatever the shifts). Each tile is the cheapest fitting
 * of:
 * <ul>
 *   <li><b>fill</b> ({@code 0x80}, one TPIXEL): one colour;</li>
 *   <li><b>basic with the palette filter</b>: up to {@link #MAX_PALETTE} colours (text, window
 *       borders, anything drawn): 1 bit a pixel for two colours, else 1 byte, lossless;</li>
 *   <li><b>JPEG</b> ({@code 0x90}) when the viewer asked for a quality level (noVNC asks for 6),
 *       at TigerVNC's JPEG quality for that level: photos, video, gradients; such tiles side by
 *       side in a row are one JPEG rectangle ({@link #jpegRect});</li>
 *   <li>else <b>basic with the copy filter</b>: the TPIXELs, lossless.</li>
 * </ul>
 * Basic data of 12 bytes or more is deflated (zlib level 1) into stream 0 after resetting it
 * (control bit 0): every tile's bytes stand alone, so a session encodes a tile once for every
 * viewer with the same quality ({@link SharedTiles}). The working buffers, the deflater and the
 * JPEG writer are one set per thread ({@link #onThisThread()}).
 */
final class TightEncoder {
  static final int TILE = DirtyTiles.TILE;
  /** Colours up to which a tile is sent lossless with a palette, not as JPEG. */
  static final int MAX_PALETTE = 64;
  /**
   * Tiles of many colours side by side in a row go as one JPEG rectangle of up to this many tiles
   * (1024x64: TigerVNC's server sends JPEG rectangles of up to 65,536 pixels too): a JPEG's
   * tables (some 600 bytes) are sent once for them, not once a tile.
   */
  static final int MAX_JPEG_TILES = 16;
  /**
   * What {@link #tile} gives for a tile of many colours when the viewer takes JPEG: the caller
   * sends it in a JPEG rectangle with its neighbours of many colours ({@link #jpegRect}).
   */
  static final byte[] MANY_COLOURS = new byte[0];
  /** The JPEG quality for the viewer's quality level 0..9, as TigerVNC's server maps it. */
  private static final int[] JPEG_QUALITY = {15, 29, 41, 42, 62, 77, 79, 86, 92, 100};
  private static final int FILL = 0x80;
  private static final int JPEG = 0x90;
  /** Reset stream 0, then basic compression into stream 0 with an explicit filter. */
  private static final int BASIC_FILTERED = 0x41;
  private static final int BASIC_COPY = 0x01;
  private static final int FILTER_PALETTE = 1;
  private static final ThreadLocal<TightEncoder> PER_THREAD = ThreadLocal.withInitial(TightEncoder::new);

  private final int[] tile = new int[TILE * TILE];
  private final Palette palette = new Palette(MAX_PALETTE);
  private final Deflater zlib = new Deflater(Deflater.BEST_SPEED);
  private byte[] data = new byte[TILE * TILE * 3];
  private final Flushed compressed = new Flushed();
  /**
   * Red, green, blue a pixel, a JPEG run's widest: each JPEG is a picture at its top left. In the
   * order the JPEG writer copies its rows into (not TYPE_3BYTE_BGR's), so that it copies them
   * whole, not a channel at a time: a quarter less time a JPEG, the same bytes.
   */
  private final BufferedImage image = new BufferedImage(
      new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE),
      Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, MAX_JPEG_TILES * TILE, TILE, MAX_JPEG_TILES * TILE * 3, 3,
          new int[] {0, 1, 2}, null), false, null);
  private ImageWriter jpeg;
  private ImageWriteParam jpegParam;
  private final ByteArrayOutputStream jpegBytes = new ByteArrayOutputStream(8 * 1024);

  private TightEncoder() {
  }

  static TightEncoder onThisThread() {
    return PER_THREAD.get();
  }

  /** Whether Tight can be served in {@code format}: TPIXELs of 3 bytes (red, green, blue). */
  static boolean serves(PixelFormat format) {
    return format.trueColour() && format.bitsPerPixel() == 32 && format.depth() == 24
        && format.redMax() == 255 && format.greenMax() == 255 && format.blueMax() == 255;
  }

  /** The JPEG quality (1..100) for a viewer's quality level 0..9. */
  static int jpegQuality(int level) {
    return JPEG_QUALITY[Math.max(0, Math.min(9, level))];
  }

  /**
   * The Tight payload (what follows the rectangle header) of the {@code w x h} tile at
   * {@code (x, y)}; for a tile of many colours {@link #MANY_COLOURS} when {@code jpegQuality} is
   * above 0 (JPEG, in a rectangle with its neighbours), else lossless.
   */
  byte[] tile(Framebuffer fb, int x, int y, int w, int h, int jpegQuality) {
    int area = w * h;
    int[] pixels = fb.pixels();
    for (int row = 0; row < h; row++) System.arraycopy(pixels, (y + row) * fb.width() + x, tile, row * w, w);
    palette.clear();
    boolean fits = true;
    for (int i = 0; i < area && fits; i++) {
      if ((i == 0 || tile[i] != tile[i - 1]) && palette.indexOf(tile[i], true) < 0) fits = false;
    }
    Buffer out = Buffer.buffer(64);
    if (fits && palette.size() == 1) {
      out.appendByte((byte) FILL);
      tpixel(out, tile[0]);
    } else if (fits) {
      out.appendByte((byte) BASIC_FILTERED).appendByte((byte) FILTER_PALETTE).appendByte((byte) (palette.size() - 1));
      for (int i = 0; i < palette.size(); i++) tpixel(out, palette.colour(i));
      basicData(out, palette.size() == 2 ? bitmap(w, h) : indices(area));
    } else if (jpegQuality > 0) {
      return MANY_COLOURS;
    } else {
      out.appendByte((byte) BASIC_COPY);
      for (int i = 0; i < area; i++) {
        int c = tile[i];
        data[3 * i] = (byte) (c >> 16);
        data[3 * i + 1] = (byte) (c >> 8);
        data[3 * i + 2] = (byte) c;
      }
      basicData(out, 3 * area);
    }
    return out.getBytes();
  }

  private static void tpixel(Buffer out, int rgb) {
    out.appendByte((byte) (rgb >> 16)).appendByte((byte) (rgb >> 8)).appendByte((byte) rgb);
  }

  /** Two colours: a bit a pixel (1: the palette's second colour), rows padded to a byte, most significant bit first. */
  private int bitmap(int w, int h) {
    int rowBytes = (w + 7) / 8;
    Arrays.fill(data, 0, rowBytes * h, (byte) 0);
    int second = palette.colour(1);
    for (int row = 0; row < h; row++) {
      for (int col = 0; col < w; col++) {
        if (tile[row * w + col] == second) data[row * rowBytes + (col >> 3)] |= (byte) (0x80 >> (col & 7));
      }
    }
    return rowBytes * h;
  }

  private int indices(int area) {
    for (int i = 0; i < area; i++) data[i] = (byte) palette.indexOf(tile[i], false);
    return area;
  }

  /** Basic compression's data: as it is under 12 bytes, else its compact length and zlib data (a fresh stream 0). */
  private void basicData(Buffer out, int length) {
    if (length < 12) {
      out.appendBytes(data, 0, length);
      return;
    }
    zlib.reset();
    int n = compressed.deflate(zlib, data, length);
    compactLength(out, n);
    out.appendBytes(compressed.bytes(), 0, n);
  }

  /** Tight's compact length: 7 bits a byte, least significant first, the top bit set when more follow (up to 22 bits). */
  static void compactLength(Buffer out, int length) {
    if (length < 0 || length >= 1 << 22) throw new IllegalArgumentException("a compact length of " + length);
    out.appendByte((byte) (length & 0x7F | (length > 0x7F ? 0x80 : 0)));
    if (length > 0x7F) {
      out.appendByte((byte) (length >> 7 & 0x7F | (length > 0x3FFF ? 0x80 : 0)));
      if (length > 0x3FFF) out.appendByte((byte) (length >> 14));
    }
  }

  /**
   * The Tight payload of the {@code w x h} rectangle at {@code (x, y)} (up to {@link
   * #MAX_JPEG_TILES} tiles wide, a tile high) as JPEG at {@code quality} (1..100).
   */
  byte[] jpegRect(Framebuffer fb, int x, int y, int w, int h, int quality) {
    if (w > image.getWidth() || h > image.getHeight() || quality < 1 || quality > 100) {
      throw new IllegalArgumentException("a JPEG rectangle of " + w + "x" + h + " at quality " + quality);
    }
    // the image's own bytes: no colour model between
    byte[] rgb = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    int[] pixels = fb.pixels();
    for (int row = 0; row < h; row++) {
      int from = (y + row) * fb.width() + x;
      int at = row * image.getWidth() * 3;
      for (int i = 0; i < w; i++, at += 3) {
        int c = pixels[from + i];
        rgb[at] = (byte) (c >> 16);
        rgb[at + 1] = (byte) (c >> 8);
        rgb[at + 2] = (byte) c;
      }
    }
    byte[] jpg = jpeg(image.getSubimage(0, 0, w, h), quality);
    Buffer out = Buffer.buffer(4 + jpg.length).appendByte((byte) JPEG);
    compactLength(out, jpg.length);
    return out.appendBytes(jpg).getBytes();
  }

  private byte[] jpeg(BufferedImage image, int quality) {
    if (jpeg == null) {
      jpeg = ImageIO.getImageWritersByFormatName("jpeg").next();
      jpegParam = jpeg.getDefaultWriteParam();
      jpegParam.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    }
    jpegParam.setCompressionQuality(quality / 100f);
    jpegBytes.reset();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(jpegBytes)) {
      jpeg.setOutput(stream);
      jpeg.write(null, new IIOImage(image, null, null), jpegParam);
    } catch (IOException e) {
      throw new UncheckedIOException("JPEG of a " + image.getWidth() + "x" + image.getHeight() + " rectangle: " + e.getMessage(), e);
    }
    return jpegBytes.toByteArray();
  }
}
