package io.vncgate.testbeds.bench.jmh;

import io.vertx.core.buffer.Buffer;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.MessagePolicy;
import io.vncgate.gateway.rfb.RfbException;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The viewer-to-server message framer: messages per second (every score is per message, 64 per
 * invocation) and, with {@code -prof gc}, bytes allocated per message ({@code gc.alloc.rate.norm}).
 * Inputs: {@code pointer} 64 PointerEvents (a mouse drag), {@code mixed} what noVNC sends while
 * typing and moving (pointer, key down/up, incremental update requests), {@code setEncodings}
 * noVNC 1.7's SetEncodings (scanned for pseudo-encodings, and narrowed: JPEG is removed, so each
 * one is rebuilt). Each arrives as one read, or cut
 * into 7-byte reads ({@code *Split}) so messages straddle reads, the accumulation path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FramerBenchmark {
  static final int MESSAGES = 64;

  @Param({"pointer", "mixed", "setEncodings"})
  public String input;

  private ClientMessageFramer controller;
  private ClientMessageFramer observer;
  private Buffer whole;
  private Buffer[] split;

  @Setup
  public void setUp() throws RfbException {
    controller = new ClientMessageFramer(MessagePolicy.CONTROLLER, 1 << 20, true, null);
    observer = new ClientMessageFramer(MessagePolicy.OBSERVER, 1 << 20, true, null);
    whole = switch (input) {
      case "pointer" -> repeat(Messages.pointer(), MESSAGES);
      case "mixed" -> Messages.mixed(MESSAGES);
      case "setEncodings" -> repeat(Messages.setEncodings(), MESSAGES);
      default -> throw new IllegalArgumentException(input);
    };
    split = cut(whole, 7);
    // the framer must see whole messages, in and out (SetEncodings loses JPEG: 4 bytes each)
    int expected = whole.length() - (input.equals("setEncodings") ? 4 * MESSAGES : 0);
    if (controller.feed(whole).length() != expected) throw new IllegalStateException("controller dropped bytes");
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public Buffer controller() throws RfbException {
    return controller.feed(whole);
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public Buffer observerDropsInput() throws RfbException {
    return observer.feed(whole);
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public void controllerSplit(Blackhole bh) throws RfbException {
    for (Buffer b : split) bh.consume(controller.feed(b));
  }

  static Buffer repeat(Buffer message, int times) {
    Buffer b = Buffer.buffer(message.length() * times);
    for (int i = 0; i < times; i++) b.appendBuffer(message);
    return b;
  }

  static Buffer[] cut(Buffer b, int size) {
    List<Buffer> parts = new ArrayList<>();
    for (int at = 0; at < b.length(); at += size) parts.add(b.getBuffer(at, Math.min(b.length(), at + size)));
    return parts.toArray(new Buffer[0]);
  }
}
