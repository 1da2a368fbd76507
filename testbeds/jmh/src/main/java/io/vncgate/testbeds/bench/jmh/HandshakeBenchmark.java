package io.vncgate.testbeds.bench.jmh;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.HandshakeStep;
import io.vncgate.gateway.rfb.ServerInit;
import io.vncgate.gateway.rfb.UpstreamHandshake;
import io.vncgate.gateway.rfb.ViewerHandshake;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole RFB 3.8 handshakes, socket-free, as the gateway runs them per connection: toward the
 * viewer ({@link ViewerHandshake}, security None as on the WebSocket front, VNC authentication as
 * on the TCP front) and toward the server ({@link UpstreamHandshake}, None, and VNC authentication
 * with its DES response). One operation = one handshake from banner to Ready; {@code -prof gc}
 * gives the bytes allocated per handshake.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandshakeBenchmark {
  private static final Buffer VERSION = ascii("RFB 003.008\n");
  private static final byte[] PIXEL_FORMAT = {32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0};
  private static final ServerInit INIT = new ServerInit(1920, 1080, PIXEL_FORMAT, "static/lab1 – Lab desktop");
  private static final byte[] PASSWORD = "s3cret!!".getBytes(StandardCharsets.ISO_8859_1);

  /** What a server sends when it offers None: banner, types [None], SecurityResult OK, ServerInit. */
  private Buffer serverNone;
  /** The same with VNC authentication: banner, types [VNC auth], challenge, SecurityResult OK, ServerInit. */
  private Buffer serverVncAuth;

  @Setup
  public void setUp() {
    Buffer init = INIT.encode();
    serverNone = Buffer.buffer().appendBuffer(VERSION).appendBytes(new byte[] {1, 1}).appendInt(0).appendBuffer(init);
    serverVncAuth = Buffer.buffer().appendBuffer(VERSION).appendBytes(new byte[] {1, 2})
        .appendBytes(new byte[16]).appendInt(0).appendBuffer(init);
    for (HandshakeStep s : new HandshakeStep[] {viewerNone(), viewerVncAuth(), upstreamNone(), upstreamVncAuth()}) {
      if (!(s instanceof HandshakeStep.Ready)) throw new IllegalStateException("handshake did not complete: " + s);
    }
  }

  /** WebSocket front: banner; viewer's version; admitted; offers None; choice + ClientInit; ServerInit. */
  @Benchmark
  public HandshakeStep viewerNone() {
    ViewerHandshake hs = new ViewerHandshake(ViewerHandshake.Security.NONE);
    hs.start();
    hs.onData(VERSION);
    hs.admit(INIT);
    return hs.onData(Buffer.buffer(new byte[] {1, 1}));
  }

  /** TCP front: banner; version; offers VNC auth; choice; challenge; response; admitted; ClientInit. */
  @Benchmark
  public HandshakeStep viewerVncAuth() {
    ViewerHandshake hs = new ViewerHandshake(ViewerHandshake.Security.VNC_AUTH);
    hs.start();
    hs.onData(VERSION);
    hs.onData(Buffer.buffer(new byte[] {2}));
    hs.onData(Buffer.buffer(new byte[16]));
    HandshakeStep s = hs.admit(INIT);
    return s instanceof HandshakeStep.Ready ? s : hs.onData(Buffer.buffer(new byte[] {1}));
  }

  @Benchmark
  public HandshakeStep upstreamNone() {
    return new UpstreamHandshake(null).onData(serverNone);
  }

  /** Includes the DES response to the challenge (a Cipher per handshake). */
  @Benchmark
  public HandshakeStep upstreamVncAuth() {
    return new UpstreamHandshake(PASSWORD).onData(serverVncAuth);
  }

  private static Buffer ascii(String s) {
    return Buffer.buffer(s.getBytes(StandardCharsets.US_ASCII));
  }
}
