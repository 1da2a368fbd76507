package io.vncgate.testbeds;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads server-to-client messages for {@link RfbTestClient}: Raw framebuffer updates in
 * {@link PixelFormat#RGB888_LE}, cut text (kept), and the bodiless or skippable rest.
 */
final class ServerMessageReader {

  private static final int FRAMEBUFFER_UPDATE = 0;
  private static final int SET_COLOUR_MAP_ENTRIES = 1;
  private static final int BELL = 2;
  private static final int SERVER_CUT_TEXT = 3;
  private static final int END_OF_CONTINUOUS_UPDATES = 150;
  private static final int SERVER_FENCE = 248;

  private final DataInputStream in;
  private final List<String> cutTexts = new ArrayList<>();

  ServerMessageReader(DataInputStream in) {
    this.in = in;
  }

  List<String> cutTexts() {
    return List.copyOf(cutTexts);
  }

  /** Skips other messages up to the next FramebufferUpdate and reads it. */
  Framebuffer readUntilUpdate(ServerInitInfo init) throws IOException {
    while (true) {
      int type = in.readUnsignedByte();
      if (type == FRAMEBUFFER_UPDATE) {
        return readRawUpdate(init);
      }
      skip(type);
    }
  }

  /** Reads messages (updates included) until a ServerCutText arrives; returns its text. */
  String readUntilCutText(ServerInitInfo init) throws IOException {
    int seen = cutTexts.size();
    while (cutTexts.size() == seen) {
      int type = in.readUnsignedByte();
      if (type == FRAMEBUFFER_UPDATE) {
        readRawUpdate(init);
      } else {
        skip(type);
      }
    }
    return cutTexts.get(cutTexts.size() - 1);
  }

  private Framebuffer readRawUpdate(ServerInitInfo init) throws IOException {
    in.readUnsignedByte();
    int rects = in.readUnsignedShort();
    Framebuffer fb = new Framebuffer(init.width(), init.height());
    PixelFormat format = PixelFormat.RGB888_LE;
    for (int i = 0; i < rects; i++) {
      int x = in.readUnsignedShort();
      int y = in.readUnsignedShort();
      int w = in.readUnsignedShort();
      int h = in.readUnsignedShort();
      int encoding = in.readInt();
      if (encoding != 0) {
        throw new RfbProtocolException("expected Raw rectangles, got encoding " + encoding);
      }
      byte[] pixels = new byte[w * h * format.bytesPerPixel()];
      in.readFully(pixels);
      fb.putRaw(x, y, w, h, pixels, format);
    }
    return fb;
  }

  private void skip(int type) throws IOException {
    switch (type) {
      case SET_COLOUR_MAP_ENTRIES -> {
        in.skipNBytes(3);
        in.skipNBytes(6L * in.readUnsignedShort());
      }
      case BELL, END_OF_CONTINUOUS_UPDATES -> {
        // no body
      }
      case SERVER_CUT_TEXT -> {
        in.skipNBytes(3);
        int length = in.readInt();
        byte[] text = new byte[Math.abs(length)];
        in.readFully(text);
        if (length >= 0) {
          cutTexts.add(new String(text, StandardCharsets.ISO_8859_1));
        }
      }
      case SERVER_FENCE -> {
        in.skipNBytes(7);
        in.skipNBytes(in.readUnsignedByte());
      }
      default -> throw new RfbProtocolException("unexpected server message type " + type);
    }
  }
}
