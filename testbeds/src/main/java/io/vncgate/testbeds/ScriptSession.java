package io.vncgate.testbeds;

import io.vncgate.testbeds.impl.ClientMessages;
import io.vncgate.testbeds.impl.VncAuthDes;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a {@link Script} on one accepted socket, recording what happens. */
final class ScriptSession implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(ScriptSession.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Script script;
  private final ScriptedRfbServer server;
  private final RecordedConnection connection;
  private final Socket socket;
  private DataInputStream in;
  private int minor;
  private PixelFormat format = PixelFormat.RGB888_LE;

  ScriptSession(Script script, ScriptedRfbServer server, RecordedConnection connection) {
    this.script = script;
    this.server = server;
    this.connection = connection;
    this.socket = connection.socket();
  }

  @Override
  public void run() {
    try {
      in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      switch (script.opening()) {
        case CLOSE -> socket.close();
        case STALL -> drainUntilClosed();
        case RAW -> {
          write(script.raw());
          finish(script.stall());
        }
        case TOO_MANY_ATTEMPTS -> {
          write(ascii("RFB 003.003\n"), u32(0), string(Script.TOO_MANY));
          finish(false);
        }
        case RFB -> rfb();
      }
    } catch (IOException e) {
      LOG.debug("scripted connection {} ended: {}", connection.id(), e.toString());
    } finally {
      connection.markClosed();
    }
  }

  private void rfb() throws IOException {
    write(ascii(script.banner()));
    byte[] version = new byte[12];
    in.readFully(version);
    String clientVersion = new String(version, StandardCharsets.ISO_8859_1);
    connection.clientVersion(clientVersion);
    minor = Math.min(script.bannerMinor(), clientMinor(clientVersion));
    if (script.refuseReason() != null) {
      write(minor == 3 ? u32(0) : new byte[] {0}, string(script.refuseReason()));
      finish(false);
      return;
    }
    if (!security()) {
      finish(false);
      return;
    }
    int shared = in.readUnsignedByte();
    connection.clientInit(shared != 0);
    sendServerInit();
    serve();
  }

  /** Runs type selection, authentication and SecurityResult; false when the client failed. */
  private boolean security() throws IOException {
    int type;
    if (minor == 3) {
      type = script.offeredTypes().get(0);
      write(u32(type));
    } else {
      byte[] list = new byte[script.offeredTypes().size() + 1];
      list[0] = (byte) (list.length - 1);
      for (int i = 1; i < list.length; i++) {
        list[i] = (byte) (int) script.offeredTypes().get(i - 1);
      }
      write(list);
      type = in.readUnsignedByte();
    }
    connection.chosenSecurityType(type);
    if (minor > 3 && !script.offeredTypes().contains(type)) {
      return fail("security type " + type + " was not offered");
    }
    if (type == 2) {
      return vncAuth();
    }
    if (type != 1) {
      return fail("security type " + type + " is not supported by ScriptedRfbServer");
    }
    if (script.authFailReason() != null) {
      return fail(script.authFailReason());
    }
    if (minor == 8) {
      write(u32(0));
    }
    return true;
  }

  private boolean vncAuth() throws IOException {
    byte[] challenge = new byte[16];
    RANDOM.nextBytes(challenge);
    write(challenge);
    byte[] response = new byte[16];
    in.readFully(response);
    server.countAuthAttempt();
    if (script.authFailReason() != null) {
      return fail(script.authFailReason());
    }
    if (script.password() == null
        || !Arrays.equals(VncAuthDes.response(script.password(), challenge), response)) {
      return fail("Authentication failed");
    }
    write(u32(0));
    return true;
  }

  /** SecurityResult failed (with the reason in 3.8); 3.3/3.7 None has no SecurityResult. */
  private boolean fail(String reason) throws IOException {
    boolean hasResult = minor == 8 || connection.chosenSecurityType() == 2;
    if (hasResult) {
      write(u32(1), minor == 8 ? string(reason) : new byte[0]);
    }
    return false;
  }

  private void sendServerInit() throws IOException {
    ByteArrayOutputStream init = new ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(init);
    data.writeShort(script.width());
    data.writeShort(script.height());
    PixelFormat.RGB888_LE.write(data);
    data.write(string(script.desktopName()));
    write(init.toByteArray());
  }

  private void serve() throws IOException {
    while (true) {
      byte[] message;
      try {
        message = ClientMessages.read(in);
      } catch (EOFException e) {
        socket.close();
        return;
      } catch (IOException e) {
        if (!socket.isClosed()) {
          LOG.info("scripted connection {}: {}; closing", connection.id(), e.getMessage());
        }
        socket.close();
        return;
      }
      if (message == null) {
        socket.close();
        return;
      }
      connection.received(message);
      int type = message[0] & 0xFF;
      if (type == ClientMessages.SET_PIXEL_FORMAT) {
        format = PixelFormat.read(new DataInputStream(new ByteArrayInputStream(message, 4, 16)));
      } else if (type == ClientMessages.FRAMEBUFFER_UPDATE_REQUEST) {
        answer(message);
      }
    }
  }

  /** One Raw rectangle of the requested area, clipped to the desktop, in the fill colour. */
  private void answer(byte[] request) throws IOException {
    int x = Math.min(u16(request, 2), script.width());
    int y = Math.min(u16(request, 4), script.height());
    int w = Math.min(u16(request, 6), script.width() - x);
    int h = Math.min(u16(request, 8), script.height() - y);
    byte[] pixel = format.encode(server.fillColour());
    ByteArrayOutputStream update = new ByteArrayOutputStream(16 + w * h * pixel.length);
    DataOutputStream data = new DataOutputStream(update);
    data.writeByte(0);
    data.writeByte(0);
    data.writeShort(1);
    data.writeShort(x);
    data.writeShort(y);
    data.writeShort(w);
    data.writeShort(h);
    data.writeInt(0);
    for (int i = 0; i < w * h; i++) {
      data.write(pixel);
    }
    write(update.toByteArray());
  }

  /** Half-closes, then waits for the client to close (or stalls until it does). */
  private void finish(boolean stall) throws IOException {
    if (!stall) {
      socket.shutdownOutput();
      socket.setSoTimeout(2_000);
    }
    drainUntilClosed();
  }

  private void drainUntilClosed() throws IOException {
    InputStream input = in;
    byte[] sink = new byte[4096];
    try {
      while (input.read(sink) >= 0) {
        // discard
      }
    } finally {
      socket.close();
    }
  }

  private void write(byte[]... parts) throws IOException {
    connection.write(parts);
  }

  private static int clientMinor(String version) {
    if (!version.matches("RFB \\d{3}\\.\\d{3}\n")) {
      return 3;
    }
    int minor = Integer.parseInt(version.substring(8, 11));
    return minor >= 8 ? 8 : minor == 7 ? 7 : 3;
  }

  private static int u16(byte[] b, int offset) {
    return (b[offset] & 0xFF) << 8 | (b[offset + 1] & 0xFF);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] u32(int value) {
    return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
  }

  /** {@code U32 length} + UTF-8 text. */
  static byte[] string(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(u32(bytes.length), 4 + bytes.length);
    System.arraycopy(bytes, 0, out, 4, bytes.length);
    return out;
  }
}
