package io.vncgate.testbeds.bench.jmh;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.RfbException;
import io.vncgate.gateway.rfb.ServerMessageFramer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server-to-viewer framer (headers followed, payloads passed by length): FramebufferUpdates
 * per second, 64 per invocation, and with {@code -prof gc} bytes allocated per update. Inputs:
 * {@code tight} updates of 8 Tight rectangles with zlib data (what Xvnc sends noVNC while a
 * desktop changes), {@code hextile} 64×64 Hextile rectangles of coloured subrectangles (the
 * worst case: every tile is walked), {@code raw} 1920×1080 Raw updates (the benchmark tool's load),
 * each fed in 64 KiB reads as the relay gets them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ServerFramerBenchmark {
  static final int UPDATES = 64;
  private static final byte[] PIXEL_FORMAT_32 = {32, 24, 0, 1, 0, (byte) 255, 0, (byte) 255, 0, (byte) 255, 16, 8, 0, 0, 0, 0};

  @Param({"tight", "hextile", "raw"})
  public String input;

  private ServerMessageFramer framer;
  private Buffer[] reads;
  private final ServerMessageFramer.Output sink = new ServerMessageFramer.Output() {
    @Override
    public void forward(int from, int to) {
      forwarded += to - from;
    }

    @Override
    public void forwardHeld(byte[] bytes, int length) {
      forwarded += length;
    }
  };
  private long forwarded;

  @Setup
  public void setUp() throws RfbException {
    framer = new ServerMessageFramer(PIXEL_FORMAT_32, 1 << 20, true, null);
    Buffer stream = Buffer.buffer();
    for (int i = 0; i < UPDATES; i++) {
      stream.appendBuffer(switch (input) {
        case "tight" -> tightUpdate();
        case "hextile" -> hextileUpdate();
        case "raw" -> rawUpdate();
        default -> throw new IllegalArgumentException(input);
      });
    }
    reads = FramerBenchmark.cut(stream, 64 * 1024);
    forwarded = 0;
    for (Buffer b : reads) framer.feed(b, sink);
    if (forwarded != stream.length() || framer.messagesForwarded() != UPDATES) {
      throw new IllegalStateException("the framer lost track: " + forwarded + " of " + stream.length() + " bytes, "
          + framer.messagesForwarded() + " updates");
    }
  }

  @Benchmark
  @OperationsPerInvocation(UPDATES)
  public long updates() throws RfbException {
    for (Buffer b : reads) framer.feed(b, sink);
    return forwarded;
  }

  private static Buffer header(Buffer b, int x, int y, int w, int h, int encoding) {
    return b.appendUnsignedShort(x).appendUnsignedShort(y).appendUnsignedShort(w).appendUnsignedShort(h).appendInt(encoding);
  }

  /** 8 Tight rectangles of 128×64, basic compression with a 2-byte compact length (1,500 bytes of data). */
  static Buffer tightUpdate() {
    Buffer b = Buffer.buffer().appendByte((byte) 0).appendByte((byte) 0).appendUnsignedShort(8);
    for (int i = 0; i < 8; i++) {
      header(b, i * 128, 0, 128, 64, 7).appendByte((byte) 0x00).appendByte((byte) (0x80 | (1500 & 0x7F))).appendByte((byte) (1500 >> 7));
      b.appendBytes(new byte[1500]);
    }
    return b;
  }

  /** One 64×64 Hextile rectangle: 16 tiles, each a background and 4 coloured subrectangles. */
  static Buffer hextileUpdate() {
    Buffer b = Buffer.buffer().appendByte((byte) 0).appendByte((byte) 0).appendUnsignedShort(1);
    header(b, 0, 0, 64, 64, 5);
    for (int t = 0; t < 16; t++) {
      b.appendByte((byte) (2 | 8 | 16)).appendInt(0x336699).appendByte((byte) 4);
      for (int s = 0; s < 4; s++) b.appendInt(0xffffff).appendByte((byte) 0x11).appendByte((byte) 0x33);
    }
    return b;
  }

  /** One 1920×1080 Raw rectangle (8 MB). */
  static Buffer rawUpdate() {
    Buffer b = Buffer.buffer().appendByte((byte) 0).appendByte((byte) 0).appendUnsignedShort(1);
    header(b, 0, 0, 1920, 1080, 0);
    return b.appendBytes(new byte[1920 * 1080 * 4]);
  }
}
