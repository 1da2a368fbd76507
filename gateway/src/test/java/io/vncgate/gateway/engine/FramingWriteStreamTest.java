package io.vncgate.gateway.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vncgate.gateway.rfb.ClientMessageFramer;
import io.vncgate.gateway.rfb.MessagePolicy;
import io.vncgate.gateway.rfb.RfbException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The viewer's reads reach the server's stream as the buffers they arrived in when they are whole
 * allowed messages, as copies of what passed when the framer cut them, and every buffer is released
 * exactly once whichever way it went.
 */
class FramingWriteStreamTest {
  private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  private final List<ByteBuf> created = new ArrayList<>();
  private final List<ByteBuf> written = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();
  private final ByteArrayOutputStream server = new ByteArrayOutputStream();

  @AfterEach
  void everyBufferReleased() {
    for (ByteBuf b : written) {
      server.writeBytes(ByteBufUtil.getBytes(b));
      b.release();
    }
    written.clear();
    for (ByteBuf b : created) assertEquals(0, b.refCnt(), "a viewer read was not released");
  }

  private ByteBuf read(byte[]... messages) {
    ByteBuf b = ALLOC.directBuffer();
    for (byte[] m : messages) b.writeBytes(m);
    created.add(b);
    return b;
  }

  private static byte[] keyEvent(int key) {
    return new byte[] {4, 1, 0, 0, 0, 0, (byte) (key >> 8), (byte) key};
  }

  private static byte[] pointer(int x) {
    return new byte[] {5, 0, (byte) (x >> 8), (byte) x, 0, 7};
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  private FramingWriteStream framing(MessagePolicy policy, WriteStream<Buffer> upstream) {
    ClientMessageFramer framer = new ClientMessageFramer(policy, 1 << 20, true, (type, bytes, reason, why) -> { });
    return new FramingWriteStream(framer::feed, upstream, errors::add);
  }

  @Test
  void aReadOfWholeAllowedMessagesGoesOnAsTheBufferItArrivedIn() {
    FramingWriteStream s = framing(MessagePolicy.CONTROLLER, new Sink());
    ByteBuf in = read(keyEvent(0x61), pointer(3), keyEvent(0x62));

    s.writeByteBuf(in);

    assertEquals(1, written.size());
    assertSame(in, written.get(0), "not copied");
    assertEquals(1, in.refCnt(), "owned by the server's stream until written");
  }

  @Test
  void messagesStraddlingReadsAndDroppedOnesGoOnAsCopiesOfWhatPassed() {
    FramingWriteStream s = framing(MessagePolicy.OBSERVER, new Sink());
    byte[] fbur = {3, 1, 0, 0, 0, 0, 0, 10, 0, 10};
    byte[] both = concat(fbur, keyEvent(0x61), fbur);
    // an update request cut in two, then a key event an observer may not send between two requests
    s.writeByteBuf(read(java.util.Arrays.copyOfRange(fbur, 0, 4)));
    s.writeByteBuf(read(java.util.Arrays.copyOfRange(both, 4, both.length)));

    assertEquals(1, written.size(), "nothing of the first read alone is a whole message");
    assertNotSame(created.get(1), written.get(0));
    everyBufferReleased();
    assertArrayEquals(concat(fbur, fbur), server.toByteArray(), "the key event is left out, the rest is byte for byte");
  }

  @Test
  void aServerStreamWithoutNettyBuffersGetsVertxBuffersThatOutliveTheRead() {
    List<Buffer> got = new ArrayList<>();
    FramingWriteStream s = framing(MessagePolicy.CONTROLLER, new VertxOnly(got));
    s.writeByteBuf(read(keyEvent(1), keyEvent(2)));
    s.writeByteBuf(read(pointer(9)));

    assertEquals(0, created.get(0).refCnt());
    assertEquals(Buffer.buffer(concat(keyEvent(1), keyEvent(2), pointer(9))), got.get(0).copy().appendBuffer(got.get(1)));
  }

  @Test
  void aProtocolErrorIsReportedOnceAndNothingMoreIsForwarded() {
    FramingWriteStream s = framing(MessagePolicy.CONTROLLER, new Sink());
    s.writeByteBuf(read(keyEvent(1)));
    s.writeByteBuf(read(new byte[] {(byte) 99, 0, 0, 0}, keyEvent(2)));
    s.writeByteBuf(read(keyEvent(3)));

    assertEquals(1, errors.size());
    assertTrue(errors.get(0).getMessage().contains("99"), errors.get(0).getMessage());
    everyBufferReleased();
    assertArrayEquals(keyEvent(1), server.toByteArray());
  }

  /** A server stream that takes Netty buffers, keeping them for the test to read and release. */
  private final class Sink extends VertxOnly implements ByteBufSink {
    Sink() {
      super(new ArrayList<>());
    }

    @Override
    public boolean acceptsByteBufs() {
      return true;
    }

    @Override
    public void writeByteBuf(ByteBuf buf) {
      written.add(buf);
    }

    @Override
    public void flush() {
    }
  }

  /** A server stream of Vert.x buffers only (as an SSH channel is). */
  private static class VertxOnly implements WriteStream<Buffer> {
    private final List<Buffer> got;

    VertxOnly(List<Buffer> got) {
      this.got = got;
    }

    @Override
    public Future<Void> write(Buffer data) {
      got.add(data);
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
