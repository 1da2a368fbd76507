package io.vncgate.gateway.fanout;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;

/**
 * A plain Tight reader for the tests, written from the community RFB spec apart from the
 * gateway's encoder: 3-byte TPIXELs (red, green, blue), the four zlib streams with their reset
 * bits, fill, JPEG (decoded with ImageIO), and basic compression with the copy and palette
 * filters (the gradient filter is not read: the encoder never sends it). Pixels come back as
 * {@code 0xRRGGBB}; {@link #kinds} counts what it read.
 */
final class ReferenceTight {
  private final Inflater[] streams = {new Inflater(), new Inflater(), new Inflater(), new Inflater()};
  final Map<String, Integer> kinds = new TreeMap<>();

  /** Reads one Tight rectangle's payload of {@code w x h} at {@code in}'s position. */
  int[] read(ByteBuffer in, int w, int h) throws Exception {
    int control = in.get() & 0xFF;
    for (int i = 0; i < 4; i++) {
      if ((control >> i & 1) != 0) streams[i].reset();
    }
    int type = control >> 4;
    int[] out = new int[w * h];
    if (type == 0x8) {
      count("fill");
      Arrays.fill(out, tpixel(in));
      return out;
    }
    if (type == 0x9) {
      count("jpeg");
      byte[] jpeg = new byte[compactLength(in)];
      in.get(jpeg);
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
      if (image.getWidth() != w || image.getHeight() != h) {
        throw new AssertionError("a JPEG of " + image.getWidth() + "x" + image.getHeight() + " for " + w + "x" + h);
      }
      image.getRGB(0, 0, w, h, out, 0, w);
      for (int i = 0; i < out.length; i++) out[i] &= 0xFFFFFF;
      return out;
    }
    if ((type & 0x8) != 0) throw new AssertionError("compression type " + type + " is not fill, JPEG or basic");
    Inflater stream = streams[type & 0x3];
    int filter = (type & 0x4) != 0 ? in.get() & 0xFF : 0;
    if (filter == 0) {
      count("copy");
      byte[] data = data(in, stream, w * h * 3);
      for (int i = 0; i < out.length; i++) {
        out[i] = (data[3 * i] & 0xFF) << 16 | (data[3 * i + 1] & 0xFF) << 8 | data[3 * i + 2] & 0xFF;
      }
      return out;
    }
    if (filter != 1) throw new AssertionError("filter " + filter);
    int colours = (in.get() & 0xFF) + 1;
    int[] palette = new int[colours];
    for (int i = 0; i < colours; i++) palette[i] = tpixel(in);
    count(colours == 2 ? "palette-2" : "palette");
    int rowBytes = colours == 2 ? (w + 7) / 8 : w;
    byte[] data = data(in, stream, rowBytes * h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int index = colours == 2 ? (data[y * rowBytes + x / 8] >> (7 - x % 8)) & 1 : data[y * rowBytes + x] & 0xFF;
        out[y * w + x] = palette[index];
      }
    }
    return out;
  }

  private void count(String kind) {
    kinds.merge(kind, 1, Integer::sum);
  }

  private static int tpixel(ByteBuffer in) {
    return (in.get() & 0xFF) << 16 | (in.get() & 0xFF) << 8 | in.get() & 0xFF;
  }

  private static int compactLength(ByteBuffer in) {
    int b = in.get() & 0xFF;
    int length = b & 0x7F;
    if ((b & 0x80) != 0) {
      b = in.get() & 0xFF;
      length |= (b & 0x7F) << 7;
      if ((b & 0x80) != 0) length |= (in.get() & 0xFF) << 14;
    }
    return length;
  }

  /** Basic compression's data of {@code length} bytes: as it is under 12 bytes, else inflated from the stream. */
  private static byte[] data(ByteBuffer in, Inflater stream, int length) throws Exception {
    byte[] out = new byte[length];
    if (length < 12) {
      in.get(out);
      return out;
    }
    byte[] compressed = new byte[compactLength(in)];
    in.get(compressed);
    stream.setInput(compressed);
    int n = 0;
    while (n < length) {
      int got = stream.inflate(out, n, length - n);
      if (got == 0 && (stream.needsInput() || stream.finished())) throw new AssertionError("zlib data ends after " + n + " of " + length);
      n += got;
    }
    if (stream.getRemaining() != 0) throw new AssertionError(stream.getRemaining() + " compressed bytes left over");
    return out;
  }
}
