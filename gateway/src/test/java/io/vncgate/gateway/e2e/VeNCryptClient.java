package io.vncgate.gateway.e2e;

import io.vncgate.gateway.rfb.VncAuth;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A VeNCrypt X509Vnc client as TigerVNC's viewer speaks it (CSecurityVeNCrypt, CSecurityTLS), with
 * the JDK's TLS on the same socket: for what a test needs to see byte by byte (the certificate
 * served, a raw framebuffer update through the relay). RFB 3.8.
 */
final class VeNCryptClient implements AutoCloseable {
  private final Socket plain;
  private SSLSocket tls;
  private DataInputStream in;
  private DataOutputStream out;
  int width;
  int height;

  VeNCryptClient(int port) throws IOException {
    plain = new Socket("127.0.0.1", port);
    plain.setSoTimeout(15_000);
    in = new DataInputStream(plain.getInputStream());
    out = new DataOutputStream(plain.getOutputStream());
  }

  /** Banner, version, picks type 19 (must be offered), VeNCrypt 0.2, subtype 261, the go-ahead byte. */
  void toTls() throws IOException {
    byte[] banner = new byte[12];
    in.readFully(banner);
    out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
    int n = in.readUnsignedByte();
    if (n == 0) throw new IOException("refused: " + reason());
    byte[] types = new byte[n];
    in.readFully(types);
    boolean offered = false;
    for (byte t : types) offered |= t == 19;
    if (!offered) throw new IOException("VeNCrypt not offered: " + HexFormat.of().formatHex(types));
    out.write(19);
    if (in.readUnsignedByte() != 0 || in.readUnsignedByte() != 2) throw new IOException("not VeNCrypt 0.2");
    out.write(new byte[] {0, 2});
    if (in.readUnsignedByte() != 0) throw new IOException("version not agreed");
    int subtypes = in.readUnsignedByte();
    boolean x509Vnc = false;
    for (int i = 0; i < subtypes; i++) x509Vnc |= in.readInt() == 261;
    if (!x509Vnc) throw new IOException("X509Vnc not offered");
    out.writeInt(261);
    if (in.readUnsignedByte() != 1) throw new IOException("no go-ahead for TLS");
  }

  /** The TLS handshake trusting {@code trust}; returns the SHA-256 of the gateway's certificate in hex. */
  String handshake(SSLContext trust) throws Exception {
    tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true);
    tls.setUseClientMode(true);
    tls.startHandshake();
    in = new DataInputStream(tls.getInputStream());
    out = new DataOutputStream(tls.getOutputStream());
    X509Certificate leaf = (X509Certificate) tls.getSession().getPeerCertificates()[0];
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
  }

  /** VNC auth inside TLS with the ticket, SecurityResult, ClientInit shared, ServerInit. */
  void login(String ticket) throws IOException {
    byte[] challenge = new byte[16];
    in.readFully(challenge);
    out.write(VncAuth.response(challenge, ticket.getBytes(StandardCharsets.ISO_8859_1)));
    if (in.readInt() != 0) throw new IOException("login refused: " + reason());
    out.write(1);
    width = in.readUnsignedShort();
    height = in.readUnsignedShort();
    in.readFully(new byte[16]);
    in.readFully(new byte[in.readInt()]);
  }

  /**
   * Asks for 32-bit true colour (depth 24, little endian, red at 16) in Raw and a full update;
   * returns the update's pixels (rectangles in order, Raw only).
   */
  byte[] fullRawUpdate() throws IOException {
    out.write(new byte[] {0, 0, 0, 0, 32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0});
    out.write(new byte[] {2, 0, 0, 1, 0, 0, 0, 0}); // SetEncodings [Raw]
    out.write(new byte[] {3, 0, 0, 0, 0, 0, (byte) (width >> 8), (byte) width, (byte) (height >> 8), (byte) height});
    out.flush();
    while (true) {
      int type = in.readUnsignedByte();
      if (type != 0) throw new IOException("expected a FramebufferUpdate, got message type " + type);
      in.readUnsignedByte();
      int rects = in.readUnsignedShort();
      java.io.ByteArrayOutputStream pixels = new java.io.ByteArrayOutputStream();
      for (int r = 0; r < rects; r++) {
        in.readUnsignedShort();
        in.readUnsignedShort();
        int w = in.readUnsignedShort();
        int h = in.readUnsignedShort();
        int encoding = in.readInt();
        if (encoding != 0) throw new IOException("expected Raw, got encoding " + encoding);
        byte[] data = new byte[w * h * 4];
        in.readFully(data);
        pixels.write(data);
      }
      if (pixels.size() > 0) return pixels.toByteArray();
    }
  }

  private String reason() throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    if (tls != null) tls.close();
    plain.close();
  }
}
