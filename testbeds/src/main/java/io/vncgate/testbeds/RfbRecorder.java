package io.vncgate.testbeds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Records one real RFB session: listens on 127.0.0.1, relays the first connection to a target and
 * keeps the first {@code limit} bytes of each direction, as the viewer sent them ({@code c2s}) and
 * as the server sent them ({@code s2c}). The fuzz corpus of the gateway's framers and handshakes is
 * cut from such recordings (see docs/security-testing.md and {@code RecordFuzzCorpus}).
 */
public final class RfbRecorder implements AutoCloseable {

  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final Capture c2s;
  private final Capture s2c;
  private final Thread acceptor;
  private volatile Socket viewer;
  private volatile Socket target;

  private RfbRecorder(String targetHost, int targetPort, int limit) throws IOException {
    this.listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.c2s = new Capture(limit);
    this.s2c = new Capture(limit);
    this.acceptor = new Thread(this::relay, "rfb-recorder");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts relaying the first connection to 127.0.0.1:{@code port} to {@code targetHost:targetPort}. */
  public static RfbRecorder start(String targetHost, int targetPort, int limitBytes) {
    try {
      return new RfbRecorder(targetHost, targetPort, limitBytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** What the viewer sent so far (at most the limit). */
  public byte[] viewerToServer() {
    return c2s.bytes();
  }

  /** What the server sent so far (at most the limit). */
  public byte[] serverToViewer() {
    return s2c.bytes();
  }

  /** Writes {@code name.c2s} and {@code name.s2c} into {@code dir}. */
  public void write(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve(name + ".c2s"), viewerToServer());
    Files.write(dir.resolve(name + ".s2c"), serverToViewer());
  }

  private void relay() {
    try {
      Socket v = listener.accept();
      viewer = v;
      Socket t = new Socket(targetHost, targetPort);
      target = t;
      Thread up = pump(v.getInputStream(), t.getOutputStream(), c2s, "rfb-recorder-c2s");
      pump(t.getInputStream(), v.getOutputStream(), s2c, "rfb-recorder-s2c").join();
      up.join();
    } catch (IOException | InterruptedException e) {
      // closed: the recording ends here
    }
  }

  private static Thread pump(InputStream in, OutputStream out, Capture capture, String name) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[64 * 1024];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          capture.add(buf, n);
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed
      } finally {
        try {
          out.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void close() {
    for (AutoCloseable c : new AutoCloseable[] {listener, viewer, target}) {
      try {
        if (c != null) c.close();
      } catch (Exception ignored) {
        // closing anyway
      }
    }
  }

  /** The first bytes of one direction. */
  private static final class Capture {
    private final int limit;
    private byte[] data = new byte[4096];
    private int length;

    Capture(int limit) {
      this.limit = limit;
    }

    synchronized void add(byte[] b, int n) {
      int keep = Math.min(n, limit - length);
      if (keep <= 0) return;
      if (length + keep > data.length) data = Arrays.copyOf(data, Math.max(length + keep, data.length * 2));
      System.arraycopy(b, 0, data, length, keep);
      length += keep;
    }

    synchronized byte[] bytes() {
      return Arrays.copyOf(data, length);
    }
  }
}
