package io.vncgate.gateway.engine;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kernel pipe that carries bytes from one socket to another without their entering the JVM
 * ({@code splice(2)}): a server's bytes are spliced into it, and from it into a viewer's socket.
 *
 * <p>Pipes are made {@value #CAPACITY} bytes: with the kernel's default of 64 KiB, splicing
 * cost more CPU per GB than copying through 1 MiB reads (testbeds/bench/experiments/relay-floor.py;
 * docs/performance.md, "Splice" under "The targets"). Resizing needs {@code fcntl(F_SETPIPE_SZ)},
 * which neither Java 17 nor Netty offers: it is called through JNA. Where anything of this is
 * missing — not Linux, Netty's epoll transport not in use, JNA cannot load, TLS on either socket,
 * or the user's pipe memory limit ({@code /proc/sys/fs/pipe-user-pages-soft}) reached — there is no
 * pipe and the relay copies, as it always could.
 *
 * <p>Pipes are lent per event loop: a connection holds one only while bytes are in it, so pipe
 * memory follows the bytes in flight, not the connections open. Used on one event loop.
 */
public final class SplicePipe {
  /** Bytes a pipe holds. */
  static final int CAPACITY = 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(SplicePipe.class);
  private static final int F_SETPIPE_SZ = 1031;
  private static final int IPPROTO_TCP = 6;
  private static final int TCP_CONGESTION = 13;
  /** TCP_CA_NAME_MAX in the kernel. */
  private static final int CA_NAME_MAX = 16;
  /** Empty pipes kept per event loop for the next splice. */
  private static final int POOLED_PER_LOOP = 8;
  private static final LibC LIBC = loadLibC();
  private static volatile boolean refusedLogged;

  private static final FastThreadLocal<ArrayDeque<SplicePipe>> POOL = new FastThreadLocal<>() {
    @Override
    protected ArrayDeque<SplicePipe> initialValue() {
      return new ArrayDeque<>();
    }

    @Override
    protected void onRemoval(ArrayDeque<SplicePipe> pool) {
      for (SplicePipe p : pool) p.close();
      pool.clear();
    }
  };

  private final FileDescriptor readEnd;
  private final FileDescriptor writeEnd;
  private int buffered;

  private SplicePipe(FileDescriptor readEnd, FileDescriptor writeEnd) {
    this.readEnd = readEnd;
    this.writeEnd = writeEnd;
  }

  /** Whether this JVM can splice at all (epoll and JNA loaded). */
  public static boolean available() {
    return LIBC != null;
  }

  /**
   * The socket of {@code channel} when bytes may be spliced to or from it: an epoll socket without
   * TLS; otherwise null.
   */
  static FileDescriptor socketOf(Channel channel) {
    if (!available() || !(channel instanceof UnixChannel u) || channel.pipeline().get(SslHandler.class) != null) {
      return null;
    }
    return u.fd();
  }

  /** The TCP congestion control {@code socket} runs ({@code cubic}, {@code bbr}, ...); null when it cannot be read. */
  static String congestionControl(FileDescriptor socket) {
    if (!available()) return null;
    byte[] name = new byte[CA_NAME_MAX];
    IntByReference length = new IntByReference(name.length);
    try {
      LIBC.getsockopt(socket.intValue(), IPPROTO_TCP, TCP_CONGESTION, name, length);
    } catch (LastErrorException e) {
      log.debug("TCP_CONGESTION of a socket: errno {}", e.getErrorCode());
      return null;
    }
    int n = 0;
    while (n < Math.min(length.getValue(), name.length) && name[n] != 0) n++;
    return new String(name, 0, n, StandardCharsets.US_ASCII);
  }

  /** The congestion control new TCP sockets get on this machine (for the start-up log); null when unknown. */
  static String defaultCongestionControl() {
    try {
      return Files.readString(Path.of("/proc/sys/net/ipv4/tcp_congestion_control")).trim();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** An empty pipe of {@link #CAPACITY} from this event loop's pool or new; null when none can be had. */
  static SplicePipe borrow() {
    SplicePipe pooled = POOL.get().poll();
    if (pooled != null) return pooled;
    if (!available()) return null;
    FileDescriptor[] ends;
    try {
      ends = FileDescriptor.pipe();
    } catch (IOException e) {
      refused("no pipe: " + e.getMessage());
      return null;
    }
    SplicePipe pipe = new SplicePipe(ends[0], ends[1]);
    try {
      LIBC.fcntl(ends[1].intValue(), F_SETPIPE_SZ, CAPACITY);
    } catch (LastErrorException e) {
      // EPERM: the user's pipe memory is used up (pipe-user-pages-soft); a small pipe is slower than copying
      pipe.close();
      refused("a pipe of " + CAPACITY + " bytes was refused (errno " + e.getErrorCode() + ")");
      return null;
    }
    return pipe;
  }

  private static void refused(String why) {
    if (refusedLogged) {
      log.debug("zero-copy relay: {}; copying instead", why);
    } else {
      refusedLogged = true;
      log.info("zero-copy relay: {}; copying instead (logged once)", why);
    }
  }

  /** Gives an empty pipe back for reuse; a pipe with bytes in it (its viewer went away) is closed. */
  void giveBack() {
    ArrayDeque<SplicePipe> pool = POOL.get();
    if (buffered == 0 && pool.size() < POOLED_PER_LOOP) {
      pool.push(this);
    } else {
      close();
    }
  }

  /** Free space, in bytes. */
  int room() {
    return CAPACITY - buffered;
  }

  int buffered() {
    return buffered;
  }

  /** Moves up to {@code max} bytes from {@code socket} in; 0 when none now (socket empty, pipe full, or end of stream). */
  int fill(FileDescriptor socket, long max) throws IOException {
    int n = io.netty.channel.epoll.Native.splice(socket.intValue(), -1, writeEnd.intValue(), -1,
        Math.min(max, room()));
    if (n > 0) buffered += n;
    return Math.max(n, 0);
  }

  /** Moves up to {@code max} bytes out to {@code socket}; 0 when it takes none now. */
  int drain(FileDescriptor socket, long max) throws IOException {
    int n = io.netty.channel.epoll.Native.splice(readEnd.intValue(), -1, socket.intValue(), -1,
        Math.min(max, buffered));
    if (n > 0) buffered -= n;
    return Math.max(n, 0);
  }

  private void close() {
    closeQuietly(readEnd);
    closeQuietly(writeEnd);
  }

  private static void closeQuietly(FileDescriptor fd) {
    try {
      fd.close();
    } catch (IOException e) {
      log.debug("closing a pipe: {}", e.getMessage());
    }
  }

  private static LibC loadLibC() {
    try {
      if (!Epoll.isAvailable()) return null;
      return Native.load("c", LibC.class);
    } catch (Throwable e) { // UnsatisfiedLinkError and friends: no JNA here, the relay copies
      LoggerFactory.getLogger(SplicePipe.class).info("zero-copy relay off: {}", e.toString());
      return null;
    }
  }

  /** The C functions needed. */
  private interface LibC extends Library {
    int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    int getsockopt(int fd, int level, int name, byte[] value, IntByReference length) throws LastErrorException;
  }
}
