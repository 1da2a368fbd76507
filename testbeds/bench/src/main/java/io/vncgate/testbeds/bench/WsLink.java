package io.vncgate.testbeds.bench;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RFB over a WebSocket (RFC 6455) as a browser would send it: an HTTP/1.1 upgrade offering
 * subprotocols, then masked binary frames up, unmasked frames down. A small client of its own so
 * that both WebSocket paths are read the same lean way as the TCP paths (frame payloads are fed to
 * the viewer as slices of the read buffer, never aggregated into messages).
 */
final class WsLink implements ViewerLink {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_RESPONSE_HEAD = 16 * 1024;

  private enum State { RESPONSE, HEAD, LEN16, LEN64, MASK, PAYLOAD, CLOSED }

  private final NetSocketInternal socket;
  private final LinkEnd viewer;
  private final String expectedAccept;
  private final Promise<Void> upgraded = Promise.promise();
  private final Gather gather = new Gather();
  private final StringBuilder responseHead = new StringBuilder();
  private State state = State.RESPONSE;
  private int opcode;
  private long payloadLeft;
  private Buffer control;

  private WsLink(NetSocketInternal socket, LinkEnd viewer, String key) {
    this.socket = socket;
    this.viewer = viewer;
    this.expectedAccept = accept(key);
  }

  /** Connects and upgrades; the viewer starts receiving RFB once the server said 101. */
  static Future<Void> connect(NetClient client, int port, String path, List<String> protocols, LinkEnd viewer) {
    return client.connect(port, "127.0.0.1").compose(s -> {
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      String key = Base64.getEncoder().encodeToString(nonce);
      WsLink link = new WsLink(ViewerLink.largeReads((NetSocketInternal) s), viewer, key);
      return link.upgrade(port, path, protocols, key);
    });
  }

  private Future<Void> upgrade(int port, String path, List<String> protocols, String key) {
    socket.messageHandler(msg -> {
      ByteBuf buf = (ByteBuf) msg;
      try {
        onData(buf);
      } finally {
        buf.release();
      }
    });
    socket.closeHandler(v -> {
      upgraded.tryFail("connection closed during the WebSocket upgrade");
      state = State.CLOSED;
      viewer.linkClosed("connection closed");
    });
    socket.exceptionHandler(e -> viewer.linkClosed("connection error: " + e.getMessage()));
    String request = "GET " + path + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: " + String.join(", ", protocols) + "\r\n"
        + "\r\n";
    socket.write(Buffer.buffer(request.getBytes(StandardCharsets.US_ASCII)));
    return upgraded.future();
  }

  private void onData(ByteBuf in) {
    while (in.isReadable() && state != State.CLOSED) {
      switch (state) {
        case RESPONSE -> response(in);
        case PAYLOAD -> payload(in);
        default -> {
          if (!header(in)) return;
        }
      }
    }
  }

  /** The HTTP response head, byte by byte up to the blank line (it is small and read once). */
  private void response(ByteBuf in) {
    while (in.isReadable()) {
      responseHead.append((char) (in.readByte() & 0xFF));
      int n = responseHead.length();
      if (n >= 4 && responseHead.substring(n - 4).equals("\r\n\r\n")) {
        checkResponse();
        return;
      }
      if (n > MAX_RESPONSE_HEAD) {
        fail("the WebSocket upgrade response is too long");
        return;
      }
    }
  }

  private void checkResponse() {
    String head = responseHead.toString();
    String status = head.substring(0, head.indexOf("\r\n"));
    if (!status.startsWith("HTTP/1.1 101")) {
      fail("WebSocket upgrade refused: " + status);
      return;
    }
    if (!head.toLowerCase().contains("sec-websocket-accept: " + expectedAccept.toLowerCase())) {
      fail("WebSocket upgrade answered without the right Sec-WebSocket-Accept");
      return;
    }
    state = State.HEAD;
    viewer.attach(this);
    upgraded.tryComplete();
  }

  /** Frame header fields; false when more bytes are needed. */
  private boolean header(ByteBuf in) {
    switch (state) {
      case HEAD -> {
        ByteBuf b = gather.take(in, 2);
        if (b == null) return false;
        int b0 = b.readUnsignedByte();
        int b1 = b.readUnsignedByte();
        gather.done(b);
        opcode = b0 & 0x0F;
        int len = b1 & 0x7F;
        if ((b1 & 0x80) != 0) {
          fail("the server sent a masked frame");
          return false;
        }
        payloadLeft = len;
        state = len == 126 ? State.LEN16 : len == 127 ? State.LEN64 : State.PAYLOAD;
        if (state == State.PAYLOAD) startPayload();
      }
      case LEN16 -> {
        ByteBuf b = gather.take(in, 2);
        if (b == null) return false;
        payloadLeft = b.readUnsignedShort();
        gather.done(b);
        startPayload();
      }
      case LEN64 -> {
        ByteBuf b = gather.take(in, 8);
        if (b == null) return false;
        payloadLeft = b.readLong();
        gather.done(b);
        startPayload();
      }
      default -> throw new IllegalStateException(state.name());
    }
    return true;
  }

  private void startPayload() {
    state = State.PAYLOAD;
    if (opcode == 1) {
      fail("the server sent a text frame");
      return;
    }
    control = opcode >= 8 ? Buffer.buffer() : null;
    if (payloadLeft == 0) endFrame();
  }

  private void payload(ByteBuf in) {
    int k = (int) Math.min(payloadLeft, in.readableBytes());
    if (control != null) {
      byte[] bytes = new byte[k];
      in.readBytes(bytes);
      control.appendBytes(bytes);
    } else {
      viewer.feed(in.slice(in.readerIndex(), k));
      in.skipBytes(k);
    }
    payloadLeft -= k;
    if (payloadLeft == 0) endFrame();
  }

  private void endFrame() {
    state = State.HEAD;
    if (opcode == 8) {
      state = State.CLOSED;
      String reason = control.length() > 2 ? control.getString(2, control.length(), "UTF-8") : "";
      viewer.linkClosed("WebSocket closed" + (reason.isEmpty() ? "" : ": " + reason));
      socket.close();
    } else if (opcode == 9) {
      frame(0xA, control);
    }
    control = null;
  }

  private void fail(String why) {
    state = State.CLOSED;
    upgraded.tryFail(why);
    viewer.linkClosed(why);
    socket.close();
  }

  @Override
  public void write(Buffer rfb) {
    frame(0x2, rfb);
  }

  /** One final frame, masked as RFC 6455 requires of clients. */
  private void frame(int op, Buffer payload) {
    int n = payload.length();
    Buffer f = Buffer.buffer(14 + n).appendByte((byte) (0x80 | op));
    if (n < 126) {
      f.appendByte((byte) (0x80 | n));
    } else if (n < 65536) {
      f.appendByte((byte) (0x80 | 126)).appendUnsignedShort(n);
    } else {
      f.appendByte((byte) (0x80 | 127)).appendLong(n);
    }
    int mask = ThreadLocalRandom.current().nextInt();
    f.appendInt(mask);
    for (int i = 0; i < n; i++) {
      f.appendByte((byte) (payload.getByte(i) ^ (mask >>> (24 - 8 * (i & 3)))));
    }
    socket.write(f);
  }

  @Override
  public void close() {
    if (state == State.CLOSED) return;
    state = State.CLOSED;
    socket.close();
  }

  private static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
