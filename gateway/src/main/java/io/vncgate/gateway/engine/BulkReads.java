package io.vncgate.gateway.engine;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fewer, larger reads while a large payload streams in from the server (a big rectangle's pixel
 * data): the socket is told not to report itself readable before up to {@value #MAX_LOW_WATER}
 * bytes are waiting ({@code SO_RCVLOWAT}), and reads take up to {@value #BULK_BYTES}. Per gigabyte relayed that is a
 * quarter of the wake-ups and system calls of 1 MiB reads, which costs less CPU in the relay, the
 * server and the viewer (docs/performance.md, "Where the time goes", 9: bulk reads).
 *
 * <p>Only bytes the server must still send are waited for: the low-water mark never exceeds what
 * is left of the payload ({@code ahead}), so the relay can never wait for bytes that do not come.
 * It is raised only after a burst of at least {@value #FAST_BURST_BYTES} bytes (the server is
 * fast), to at most twice that burst, and dropped back to 1 byte as soon as the payload ends or
 * nothing has been read for {@value #QUIET_MS} ms (a server that slowed down is relayed as it
 * comes). Epoll sockets without TLS only (Linux); elsewhere reads stay as they are. Runs on the
 * socket's event loop.
 */
final class BulkReads {
  /** The read size while the mark is raised: room for all that waits when the relay wakes. */
  static final int BULK_BYTES = 4 * 1024 * 1024;
  /**
   * The largest low-water mark. Half the read size: with a mark as large as the reads the server
   * stopped sending while the relay was being woken (Linux fits the receive window to a mark the
   * buffer cannot otherwise hold), which was slower at the same CPU; at 2 MiB the server keeps
   * sending meanwhile (docs/performance.md, "Where the time goes", 9).
   */
  static final int MAX_LOW_WATER = 2 * 1024 * 1024;
  /** A read burst at least this large (a full ordinary read) shows the server streaming fast. */
  static final int FAST_BURST_BYTES = 1024 * 1024;
  /** With the mark raised, this long without a read drops it (checked this often). */
  static final long QUIET_MS = 10;

  private static final IntegerUnixChannelOption SO_RCVLOWAT = new IntegerUnixChannelOption("SO_RCVLOWAT", 1, 18);

  private final Channel channel;
  private int lowWater = 1;
  private long burst;
  private boolean readSinceCheck;
  private ScheduledFuture<?> quietCheck;

  private BulkReads(Channel channel) {
    this.channel = channel;
  }

  /** For {@code channel}, or null when it cannot have a low-water mark (not epoll, or TLS). */
  static BulkReads of(Channel channel) {
    if (!(channel instanceof EpollSocketChannel) || channel.pipeline().get(SslHandler.class) != null) return null;
    return new BulkReads(channel);
  }

  /** Whether reads should be {@link #BULK_BYTES}: the mark is raised. */
  boolean active() {
    return lowWater > 1;
  }

  /** A read of {@code bytes} was relayed. */
  void read(int bytes) {
    burst += bytes;
    readSinceCheck = true;
  }

  /**
   * The end of a read burst: sets the mark for the next one.
   *
   * @param ahead bytes of the payload being passed that the server has still to send (0 when the
   *     next bytes are a header)
   */
  void burstDone(long ahead) {
    long last = burst;
    burst = 0;
    mark(lowWaterFor(ahead, last, active()));
  }

  /**
   * The low-water mark after a burst of {@code lastBurst} bytes with {@code ahead} bytes of the
   * payload still to come: 1 (report any byte) unless a large payload streams in fast; never more
   * than {@code ahead}, twice the last burst, or {@link #MAX_LOW_WATER}.
   */
  static int lowWaterFor(long ahead, long lastBurst, boolean active) {
    boolean streaming = lastBurst >= FAST_BURST_BYTES || active && lastBurst > 0;
    if (ahead < FAST_BURST_BYTES || !streaming) return 1;
    return (int) Math.min(Math.min(ahead, MAX_LOW_WATER), Math.max(2 * lastBurst, FAST_BURST_BYTES));
  }

  /** Back to ordinary reads (the relay stopped, or the server went quiet). */
  void stop() {
    mark(1);
  }

  /** Whether the quiet-time check is scheduled (it is exactly while the mark is raised). */
  boolean watching() {
    return quietCheck != null;
  }

  private void mark(int bytes) {
    if (bytes == lowWater) return;
    // a closed socket takes no option, but the check below must still be cancelled
    if (channel.isActive()) channel.config().setOption(SO_RCVLOWAT, bytes);
    lowWater = bytes;
    if (bytes > 1 && quietCheck == null) {
      readSinceCheck = true;
      quietCheck = channel.eventLoop().scheduleAtFixedRate(this::checkQuiet, QUIET_MS, QUIET_MS, TimeUnit.MILLISECONDS);
    } else if (bytes == 1 && quietCheck != null) {
      quietCheck.cancel(false);
      quietCheck = null;
    }
  }

  private void checkQuiet() {
    if (!readSinceCheck || !channel.isActive()) {
      // lowering the mark makes the kernel report what is already waiting
      mark(1);
    }
    readSinceCheck = false;
  }
}
