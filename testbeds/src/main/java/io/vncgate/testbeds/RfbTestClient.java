package io.vncgate.testbeds;

import io.vncgate.testbeds.impl.VncAuthDes;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A small blocking RFB client for tests: the handshake (None or VNC auth, protocol 3.3/3.7/3.8),
 * Raw framebuffer reads, input and cut text. Each step is also available on its own so a test can
 * stop anywhere and look at the bytes the server sent.
 *
 * <p>Not thread-safe. Every read waits at most the socket read timeout (10 s unless changed).
 */
public final class RfbTestClient implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_REASON = 1 << 20;

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private boolean shared = true;
  private int minor;
  private List<Integer> offeredSecurityTypes = List.of();
  private ServerInitInfo serverInit;
  private boolean rawRequested;
  private final ServerMessageReader serverMessages;

  private RfbTestClient(Socket socket, InputStream in, OutputStream out) {
    this.socket = socket;
    this.in = new DataInputStream(in);
    this.out = new DataOutputStream(new BufferedOutputStream(out));
    this.serverMessages = new ServerMessageReader(this.in);
  }

  /** Connects with a 5 s connect timeout and a 10 s read timeout. */
  public static RfbTestClient connect(String host, int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
      socket.setTcpNoDelay(true);
      return over(socket);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Runs over an already connected socket; the client closes it. */
  public static RfbTestClient over(Socket socket) throws IOException {
    return new RfbTestClient(socket, socket.getInputStream(), socket.getOutputStream());
  }

  /** Runs over any byte streams (no read timeouts then); the client closes both. */
  public static RfbTestClient over(InputStream in, OutputStream out) {
    return new RfbTestClient(null, in, out);
  }

  /** Read timeout of the underlying socket. */
  public RfbTestClient readTimeout(Duration timeout) throws SocketException {
    requireSocket().setSoTimeout((int) timeout.toMillis());
    return this;
  }

  /** The ClientInit shared flag sent by the handshakes (default true). */
  public RfbTestClient shared(boolean shared) {
    this.shared = shared;
    return this;
  }

  /** Security types the server offered in the last handshake (3.3: the one it chose). */
  public List<Integer> offeredSecurityTypes() {
    return offeredSecurityTypes;
  }

  /** Negotiated minor version (3, 7 or 8), 0 before a handshake. */
  public int protocolMinor() {
    return minor;
  }

  /** ServerInit of the completed handshake, or null. */
  private Integer forcedMinor;

  public ServerInitInfo serverInit() {
    return serverInit;
  }

  // ---------------------------------------------------------------- handshake

  /** Full handshake with security type None, then ClientInit; returns ServerInit. */
  public ServerInitInfo handshakeNone() throws IOException {
    return handshake(1, null);
  }

  /** Full handshake with VNC Authentication, then ClientInit; returns ServerInit. */
  public ServerInitInfo handshakeVncAuth(String password) throws IOException {
    return handshake(2, Objects.requireNonNull(password, "password"));
  }

  /** Answers the server's banner with RFB 3.{@code minor} (3, 7 or 8) instead of the newest it may use. */
  public RfbTestClient version(int minor) {
    if (minor != 3 && minor != 7 && minor != 8) throw new IllegalArgumentException("RFB minor version 3, 7 or 8");
    this.forcedMinor = minor;
    return this;
  }

  private ServerInitInfo handshake(int type, String password) throws IOException {
    String banner = readBanner();
    minor = forcedMinor != null ? Math.min(forcedMinor, chooseMinor(banner)) : chooseMinor(banner);
    sendVersion(minor);
    negotiateSecurityType(type);
    if (type == 2) {
      byte[] challenge = readExactly(16);
      send(VncAuthDes.response(password, challenge));
    }
    if (type == 2 || minor == 8) {
      readSecurityResult();
    }
    send(new byte[] {(byte) (shared ? 1 : 0)});
    return readServerInit();
  }

  /** The 12-byte ProtocolVersion banner as text (ISO-8859-1). */
  public String readBanner() throws IOException {
    return new String(readExactly(12), StandardCharsets.ISO_8859_1);
  }

  /** Sends {@code RFB 003.00<minor>\n}. */
  public void sendVersion(int minor) throws IOException {
    send(String.format("RFB 003.%03d\n", minor).getBytes(StandardCharsets.US_ASCII));
  }

  /** The TigerVNC viewer's rule: 3.3 up to 3.6, 3.7, then 3.8 for anything newer. */
  static int chooseMinor(String banner) throws RfbProtocolException {
    if (!banner.matches("RFB \\d{3}\\.\\d{3}\n")) {
      throw new RfbProtocolException("not an RFB banner: '" + printable(banner) + "'");
    }
    int major = Integer.parseInt(banner.substring(4, 7));
    int minor = Integer.parseInt(banner.substring(8, 11));
    if (major < 3 || (major == 3 && minor < 3)) {
      throw new RfbProtocolException("unsupported RFB version " + banner.trim());
    }
    if (major > 3 || minor >= 8) {
      return 8;
    }
    return minor == 7 ? 7 : 3;
  }

  private void negotiateSecurityType(int wanted) throws IOException {
    if (minor == 3) {
      int type = in.readInt();
      if (type == 0) {
        throw new RfbRefused(readFailureReason(), true);
      }
      offeredSecurityTypes = List.of(type);
      if (type != wanted) {
        throw new RfbProtocolException("server chose security type " + type + ", not " + wanted);
      }
      return;
    }
    int count = in.readUnsignedByte();
    if (count == 0) {
      throw new RfbRefused(readFailureReason(), true);
    }
    List<Integer> types = new ArrayList<>();
    for (byte b : readExactly(count)) {
      types.add(b & 0xFF);
    }
    offeredSecurityTypes = List.copyOf(types);
    if (!types.contains(wanted)) {
      throw new RfbProtocolException("server offers security types " + types + ", not " + wanted);
    }
    send(new byte[] {(byte) wanted});
  }

  private void readSecurityResult() throws IOException {
    int result = in.readInt();
    if (result == 0) {
      return;
    }
    if (minor == 8) {
      throw new RfbRefused(readFailureReason(), true);
    }
    throw new RfbRefused(result == 2 ? "too many attempts" : "authentication failed", false);
  }

  /** Reads {@code U32 length} and that many bytes of reason text (UTF-8). */
  public String readFailureReason() throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_REASON) {
      throw new RfbProtocolException("implausible reason length " + Integer.toUnsignedString(length));
    }
    return new String(readExactly(length), StandardCharsets.UTF_8);
  }

  private ServerInitInfo readServerInit() throws IOException {
    int width = in.readUnsignedShort();
    int height = in.readUnsignedShort();
    PixelFormat format = PixelFormat.read(in);
    String name = readFailureReason();
    serverInit = new ServerInitInfo(width, height, name, format);
    return serverInit;
  }

  // ---------------------------------------------------------------- after ServerInit

  /** Reads the whole desktop in Raw encoding (see {@link #readFramebufferUpdateRaw(int, int, int, int)}). */
  public Framebuffer readFramebufferUpdateRaw() throws IOException {
    ServerInitInfo init = requireInit();
    return readFramebufferUpdateRaw(0, 0, init.width(), init.height());
  }

  /**
   * Asks for 32 bpp true colour and Raw encoding (once per connection), sends a non-incremental
   * FramebufferUpdateRequest for the area and reads the next FramebufferUpdate. Bell, colour map,
   * fence and end-of-continuous-updates messages before it are skipped; cut text is kept for
   * {@link #serverCutTexts()}.
   */
  public Framebuffer readFramebufferUpdateRaw(int x, int y, int w, int h) throws IOException {
    requireInit();
    if (!rawRequested) {
      sendSetPixelFormat(PixelFormat.RGB888_LE);
      sendSetEncodings(0);
      rawRequested = true;
    }
    sendFramebufferUpdateRequest(false, x, y, w, h);
    return serverMessages.readUntilUpdate(serverInit);
  }

  /**
   * Reads the whole desktop in Raw encoding until pixel (x, y) has colour {@code rgb} (X paints
   * asynchronously), 100 ms apart; returns the colour last seen: {@code rgb}, or another if
   * {@code timeout} passed first.
   */
  public int awaitColour(int x, int y, int rgb, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      int seen = readFramebufferUpdateRaw().rgb(x, y);
      if (seen == rgb || System.nanoTime() - deadline >= 0) {
        return seen;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for colour " + Integer.toHexString(rgb));
      }
    }
  }

  /** {@link #awaitColour} for the pixel at the centre of the desktop. */
  public int awaitCentreColour(int rgb, Duration timeout) throws IOException {
    ServerInitInfo init = requireInit();
    return awaitColour(init.width() / 2, init.height() / 2, rgb, timeout);
  }

  /** Reads server messages until a ServerCutText arrives and returns its text (ISO-8859-1). */
  public String readServerCutText() throws IOException {
    return serverMessages.readUntilCutText(requireInit());
  }

  /** Every ServerCutText text seen so far. */
  public List<String> serverCutTexts() {
    return serverMessages.cutTexts();
  }

  public void sendSetPixelFormat(PixelFormat format) throws IOException {
    out.writeByte(0);
    out.write(new byte[3]);
    format.write(out);
    out.flush();
  }

  public void sendSetEncodings(int... encodings) throws IOException {
    out.writeByte(2);
    out.writeByte(0);
    out.writeShort(encodings.length);
    for (int encoding : encodings) {
      out.writeInt(encoding);
    }
    out.flush();
  }

  public void sendFramebufferUpdateRequest(boolean incremental, int x, int y, int w, int h)
      throws IOException {
    out.writeByte(3);
    out.writeByte(incremental ? 1 : 0);
    out.writeShort(x);
    out.writeShort(y);
    out.writeShort(w);
    out.writeShort(h);
    out.flush();
  }

  public void sendKeyEvent(boolean down, int keysym) throws IOException {
    out.writeByte(4);
    out.writeByte(down ? 1 : 0);
    out.writeShort(0);
    out.writeInt(keysym);
    out.flush();
  }

  public void sendPointerEvent(int buttonMask, int x, int y) throws IOException {
    out.writeByte(5);
    out.writeByte(buttonMask);
    out.writeShort(x);
    out.writeShort(y);
    out.flush();
  }

  /** Classic ClientCutText; characters above U+00FF become '?', as in noVNC. */
  public void sendClientCutText(String text) throws IOException {
    byte[] latin1 = text.getBytes(StandardCharsets.ISO_8859_1);
    out.writeByte(6);
    out.write(new byte[3]);
    out.writeInt(latin1.length);
    out.write(latin1);
    out.flush();
  }

  // ---------------------------------------------------------------- raw access

  /**
   * QEMU extended key event: client message 255, submessage 0, U16 down-flag, U32 keysym, U32
   * keycode (XT scancode; extended keys as 0xe0 prefix in the high byte, e.g. 0xe048).
   */
  public void sendQemuExtendedKeyEvent(boolean down, int keysym, int keycode) throws IOException {
    out.writeByte(255);
    out.writeByte(0);
    out.writeShort(down ? 1 : 0);
    out.writeInt(keysym);
    out.writeInt(keycode);
    out.flush();
  }

  /** QEMU audio client message 255/1 with operation 0 (enable) or 1 (disable). */
  public void sendQemuAudio(int operation) throws IOException {
    out.writeByte(255);
    out.writeByte(1);
    out.writeShort(operation);
    out.flush();
  }

  /**
   * QEMU audio set-format (255/1, operation 2): U8 sample format (0 u8, 1 s8, 2 u16, 3 s16, 4 u32,
   * 5 s32), U8 channels, U32 frequency.
   */
  public void sendQemuAudioSetFormat(int sampleFormat, int channels, int frequency) throws IOException {
    out.writeByte(255);
    out.writeByte(1);
    out.writeShort(2);
    out.writeByte(sampleFormat);
    out.writeByte(channels);
    out.writeInt(frequency);
    out.flush();
  }

  /** Sends bytes as they are. */
  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public int readU8() throws IOException {
    return in.readUnsignedByte();
  }

  public int readU32() throws IOException {
    return in.readInt();
  }

  public byte[] readExactly(int n) throws IOException {
    byte[] bytes = new byte[n];
    in.readFully(bytes);
    return bytes;
  }

  /**
   * Reads and returns everything until the peer closes; stops early at the timeout or after
   * 1 MiB. Needs a socket (for the timeout).
   */
  public byte[] readUntilClosed(Duration timeout) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    readUntilEnd(timeout, all);
    return all.toByteArray();
  }

  /**
   * True when the peer closes (or resets) the connection within {@code timeout}; bytes that
   * arrive meanwhile are read and dropped. Needs a socket (for the timeout).
   */
  public boolean isClosedByPeer(Duration timeout) throws IOException {
    return readUntilEnd(timeout, OutputStream.nullOutputStream());
  }

  private boolean readUntilEnd(Duration timeout, OutputStream sink) throws IOException {
    Socket s = requireSocket();
    int previous = s.getSoTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buffer = new byte[8192];
    int total = 0;
    try {
      while (total < (1 << 20)) {
        long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
        if (left <= 0) {
          return false;
        }
        s.setSoTimeout((int) left);
        int n = in.read(buffer);
        if (n < 0) {
          return true;
        }
        sink.write(buffer, 0, n);
        total += n;
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    } finally {
      if (!s.isClosed()) {
        s.setSoTimeout(previous);
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    } else {
      try (in; out) {
        // both closed
      }
    }
  }

  private ServerInitInfo requireInit() {
    if (serverInit == null) {
      throw new IllegalStateException("no ServerInit yet: run a handshake first");
    }
    return serverInit;
  }

  private Socket requireSocket() {
    if (socket == null) {
      throw new IllegalStateException("this client runs over plain streams, not a socket");
    }
    return socket;
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
    }
    return sb.toString();
  }
}
