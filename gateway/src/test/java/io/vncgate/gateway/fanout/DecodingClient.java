package io.vncgate.gateway.fanout;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.testbeds.RfbTestClient;
import io.vncgate.testbeds.ServerInitInfo;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A real RFB client for the tests: the testbeds' handshake, then {@link UpstreamDecoder} on the
 * socket's bytes, as a fan-out session's upstream does. Each client may list its own encodings;
 * with a seed, every chunk read is fed in random pieces (1 byte and up), to split units anywhere.
 */
final class DecodingClient implements AutoCloseable, UpstreamEvents {
  final Framebuffer framebuffer;
  final UpstreamDecoder decoder;
  final List<Rect> damaged = new ArrayList<>();
  Cursor cursor;
  Buffer screens;
  int resizes;
  int updates;
  boolean qemuKeys;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Random splits;
  private final byte[] chunk = new byte[64 * 1024];

  private DecodingClient(Socket socket, ServerInitInfo init, Long seed) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    this.framebuffer = new Framebuffer(init.width(), init.height());
    this.decoder = new UpstreamDecoder(framebuffer, this, 1 << 20);
    this.splits = seed == null ? null : new Random(seed);
  }

  /** Connects, authenticates (None when {@code password} is null), sets the gateway's pixel format and {@code encodings}. */
  static DecodingClient connect(int port, String password, Long seed, int... encodings) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(15_000);
      // the test client's streams do not read ahead: after ServerInit the socket is ours
      RfbTestClient handshake = RfbTestClient.over(socket.getInputStream(), socket.getOutputStream());
      ServerInitInfo init = password == null ? handshake.handshakeNone() : handshake.handshakeVncAuth(password);
      DecodingClient client = new DecodingClient(socket, init, seed);
      client.send(UpstreamMessages.setPixelFormat());
      Buffer set = Buffer.buffer().appendByte((byte) 2).appendByte((byte) 0).appendUnsignedShort(encodings.length);
      for (int e : encodings) set.appendInt(e);
      client.send(set);
      return client;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  void send(Buffer bytes) throws IOException {
    out.write(bytes.getBytes());
    out.flush();
  }

  /**
   * Asks for the whole desktop and reads updates until pixels came: the whole desktop when not
   * incremental, anything when incremental. TigerVNC answers a non-incremental request from a
   * client that lists ExtendedDesktopSize with the screen layout alone, and that answer uses the
   * request up (VNCSConnectionST::writeNoDataUpdate); the pixels stay pending and come on the next
   * incremental request, which is what a session sends after every update.
   */
  void update(boolean incremental) throws IOException, RfbException {
    int from = damaged.size();
    long wanted = incremental ? 1 : (long) framebuffer.width() * framebuffer.height();
    long area = 0;
    boolean ask = true;
    int first = updates;
    while (area < wanted) {
      if (ask) send(UpstreamMessages.updateRequest(incremental || updates > first, 0, 0, framebuffer.width(), framebuffer.height()));
      awaitUpdates(updates + 1);
      ask = damaged.size() == from;
      for (Rect r : damaged.subList(from, damaged.size())) area += (long) r.w() * r.h();
      from = damaged.size();
    }
  }

  void awaitUpdates(int count) throws IOException, RfbException {
    while (updates < count) {
      int n = in.read(chunk);
      if (n < 0) throw new EOFException("the server closed the connection");
      int at = 0;
      while (at < n) {
        int piece = splits == null ? n - at : Math.min(n - at, 1 + splits.nextInt(splits.nextBoolean() ? 16 : 4096));
        decoder.feed(Buffer.buffer().appendBytes(chunk, at, piece));
        at += piece;
      }
    }
  }

  int[] pixels() {
    return framebuffer.pixels().clone();
  }

  @Override
  public void damaged(int x, int y, int w, int h) {
    damaged.add(new Rect(x, y, w, h));
  }

  /** CopyRect rectangles received (the decoder applied each to {@link #framebuffer}). */
  int copies;

  @Override
  public void copied(int srcX, int srcY, int x, int y, int w, int h) {
    copies++;
    damaged(x, y, w, h);
  }

  @Override
  public void updateDone() {
    updates++;
  }

  @Override
  public void resized(int width, int height, Buffer screens) {
    resizes++;
    this.screens = screens;
  }

  @Override
  public void cursor(Cursor cursor) {
    this.cursor = cursor;
  }

  @Override
  public void bell() {
  }

  @Override
  public void serverCutText(Buffer latin1) {
  }

  @Override
  public void cutTextDropped(int length) {
  }

  @Override
  public void qemuExtendedKeys() {
    qemuKeys = true;
  }

  @Override
  public void close() throws IOException {
    decoder.close();
    socket.close();
  }

  /** How many different colours the pixels have. */
  static int colours(int[] pixels) {
    return (int) java.util.Arrays.stream(pixels).distinct().count();
  }
}
