package io.vncgate.gateway.e2e;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket, for tests that must send what browsers never would
 * (frames over a limit, a huge first message) and read exactly what comes back (close code and
 * reason), from a chosen loopback source address.
 */
final class RawWebSocket implements AutoCloseable {
  static final int TEXT = 1;
  static final int BINARY = 2;
  static final int CLOSE = 8;
  static final int PING = 9;

  final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  /** The server's answer to the upgrade: status line and headers. */
  final String responseHead;

  /** A received frame. */
  record Frame(int opcode, boolean fin, byte[] payload) {
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }

    String closeReason() {
      return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
    }
  }

  private RawWebSocket(Socket socket, String responseHead) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.responseHead = responseHead;
  }

  /** Opens {@code path} from {@code localAddress} offering {@code protocols} (comma-separated), with the gateway's own origin. */
  static RawWebSocket open(String localAddress, int port, String path, String protocols) throws IOException {
    return open(localAddress, port, path, protocols, "");
  }

  /** The same with {@code extraHeaders} (lines each ending in CRLF) in the request. */
  static RawWebSocket open(String localAddress, int port, String path, String protocols, String extraHeaders)
      throws IOException {
    Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(localAddress), 0);
    s.setSoTimeout(10_000);
    OutputStream o = s.getOutputStream();
    o.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: " + protocols + "\r\nOrigin: http://127.0.0.1:" + port + "\r\n" + extraHeaders + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    o.flush();
    InputStream i = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = i.read();
      if (b < 0) break;
      head.write(b);
    }
    return new RawWebSocket(s, head.toString(StandardCharsets.ISO_8859_1));
  }

  boolean upgraded() {
    return responseHead.startsWith("HTTP/1.1 101");
  }

  /** Sends one masked frame. */
  void send(int opcode, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      f.write(0x80 | 126);
      f.write(payload.length >> 8);
      f.write(payload.length);
    } else {
      f.write(0x80 | 127);
      long n = payload.length;
      for (int i = 7; i >= 0; i--) f.write((int) (n >> (8 * i)));
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    f.write(masked);
    out.write(f.toByteArray());
    out.flush();
  }

  void sendText(String text) throws IOException {
    send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next frame, or null when the socket ended. */
  Frame read() throws IOException {
    int b0 = in.read();
    if (b0 < 0) return null;
    int b1 = in.readUnsignedByte();
    long len = b1 & 0x7F;
    if (len == 126) len = in.readUnsignedShort();
    else if (len == 127) len = in.readLong();
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
  }

  /** Reads until the close frame (payloads of data frames go to {@code data} if not null); null if the socket ended without one. */
  Frame readUntilClose(ByteArrayOutputStream data) throws IOException {
    Frame f;
    while ((f = read()) != null) {
      if (f.opcode() == CLOSE) return f;
      if (data != null && (f.opcode() == BINARY || f.opcode() == TEXT || f.opcode() == 0)) data.write(f.payload());
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
