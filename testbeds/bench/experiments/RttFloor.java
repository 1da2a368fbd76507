import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The floor of "added p99 round trip at 100 viewers": what a trivial Netty epoll relay (read,
 * writeAndFlush, nothing else; TCP_NODELAY and quick-ack on both sides) adds to a direct loopback
 * round trip on this machine, with the benchmark's shape: 100 clients on one epoll event loop, each
 * sending a 10-byte request every 17 ms (random phases, at most one outstanding, timed from when it
 * was due if a late answer held it back), a server on its own event loop answering each with 20
 * bytes. The relay runs in a JVM process of its own (like the gateway), with N event loops; the
 * upstream connection of a viewer on the viewer's own loop ("same") or on the next one ("cross").
 * Paths are measured in interleaved rounds. Not part of the benchmark tool; the experiment behind
 * "Round trips at 100 viewers: where the time goes" in docs/performance.md.
 *
 *   java -cp "$(cat testbeds/bench/target/classpath.txt)" testbeds/bench/experiments/RttFloor.java \
 *     [ROUNDS] [SECONDS] [PATHS]      PATHS e.g. direct,relay-1,relay-2,relay-4,relay-4-cross
 */
public class RttFloor {
  static final int VIEWERS = 100;
  static final long PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(17);

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("relay")) {
      relay(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4].equals("cross"));
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    List<String> paths = List.of((args.length > 2 ? args[2] : "direct,relay-1,relay-2,relay-4,relay-4-cross").split(","));
    EventLoopGroup serverLoop = new EpollEventLoopGroup(1);
    Channel server = new ServerBootstrap().group(serverLoop).channel(EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true).childOption(EpollChannelOption.TCP_QUICKACK, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              int pending;
              @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                pending += b.readableBytes();
                b.release();
                while (pending >= 10) {
                  pending -= 10;
                  ctx.write(Unpooled.wrappedBuffer(new byte[20]));
                }
                ctx.flush();
              }
            });
          }
        }).bind("127.0.0.1", 0).sync().channel();
    int serverPort = ((InetSocketAddress) server.localAddress()).getPort();
    for (int r = 1; r <= rounds; r++) {
      List<String> order = new ArrayList<>(paths);
      java.util.Collections.rotate(order, -(r - 1));
      for (String path : order) {
        Process relay = null;
        int port = serverPort;
        if (path.startsWith("relay-")) {
          String[] p = path.split("-");
          port = freePort();
          relay = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
              System.getProperty("java.class.path"), System.getProperty("rttfloor.source", "testbeds/bench/experiments/RttFloor.java"),
              "relay", String.valueOf(port), String.valueOf(serverPort), p[1], p.length > 2 ? p[2] : "same")
              .inheritIO().start();
          waitListening(port);
        }
        double[] q = measure(port, seconds, relay);
        System.out.printf("round %d %-14s p50 %.3f p99 %.3f p99.9 %.3f ms; relay per round trip %.1f us CPU, %.2f context switches (load %s)%n",
            r, path, q[0], q[1], q[2], q[3], q[4],
            new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).split(" ")[0]);
        if (relay != null) { relay.destroy(); relay.waitFor(); }
      }
    }
    server.close();
    serverLoop.shutdownGracefully();
  }

  static int freePort() throws Exception {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) { return s.getLocalPort(); }
  }

  static void waitListening(int port) throws Exception {
    for (int i = 0; i < 1200; i++) {
      try (var s = new java.net.Socket("127.0.0.1", port)) { return; } catch (java.io.IOException e) { Thread.sleep(50); }
    }
    throw new IllegalStateException("relay did not listen");
  }

  /** 100 viewers on one loop for 2 s of warm-up and {@code seconds} measured: p50, p99, p99.9 in ms. */
  static double[] measure(int port, int seconds, Process relay) throws Exception {
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    long[] samples = new long[VIEWERS * (int) (seconds * 1e9 / PERIOD_NS + 10)];
    int[] n = {0};
    long[] window = new long[2];
    Random random = new Random(1);
    CountDownLatch done = new CountDownLatch(VIEWERS);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
    window[0] = start + TimeUnit.SECONDS.toNanos(2);
    window[1] = window[0] + TimeUnit.SECONDS.toNanos(seconds);
    long[] cost = new long[4];
    if (relay != null) {
      loop.schedule(() -> { long[] c = cost(relay.pid()); cost[0] = c[0]; cost[1] = c[1]; },
          window[0] - System.nanoTime(), TimeUnit.NANOSECONDS);
      loop.schedule(() -> { long[] c = cost(relay.pid()); cost[2] = c[0]; cost[3] = c[1]; },
          window[1] - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
    for (int v = 0; v < VIEWERS; v++) {
      long phase = (long) (random.nextDouble() * PERIOD_NS);
      new Bootstrap().group(loop).channel(EpollSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
          .option(EpollChannelOption.TCP_QUICKACK, true)
          .handler(new ChannelInboundHandlerAdapter() {
            long due = start + phase, sent = -1;
            int got;
            Channel ch;
            @Override public void channelActive(ChannelHandlerContext ctx) { ch = ctx.channel(); schedule(); }
            void schedule() {
              long now = System.nanoTime();
              if (due >= window[1]) { ch.close(); done.countDown(); return; }
              ch.eventLoop().schedule(this::send, Math.max(0, due - now), TimeUnit.NANOSECONDS);
            }
            void send() {
              sent = due; // timed from when it was due: a late answer's delay is charged to this one
              ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[10]));
            }
            @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
              ByteBuf b = (ByteBuf) msg;
              got += b.readableBytes();
              b.release();
              if (got < 20) return;
              got -= 20;
              long now = System.nanoTime();
              if (sent >= window[0] && sent < window[1] && n[0] < samples.length) samples[n[0]++] = now - sent;
              due += PERIOD_NS;
              while (due + PERIOD_NS < now) due += PERIOD_NS; // never more than one request behind
              schedule();
            }
          }).connect("127.0.0.1", port).sync();
    }
    done.await(seconds + 30, TimeUnit.SECONDS);
    loop.shutdownGracefully().sync();
    long[] s = Arrays.copyOf(samples, n[0]);
    Arrays.sort(s);
    return new double[] {s[s.length / 2] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[(int) (s.length * 0.999)] / 1e6,
        (cost[2] - cost[0]) * 1e4 / s.length, (cost[3] - cost[1]) / (double) s.length};
  }

  /** {CPU clock ticks (user + system), context switches} of every thread of {@code pid}. */
  static long[] cost(long pid) {
    long ticks = 0, switches = 0;
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/task"))) {
      for (var t : (Iterable<java.nio.file.Path>) tasks::iterator) {
        String stat = java.nio.file.Files.readString(t.resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        for (String line : java.nio.file.Files.readAllLines(t.resolve("status"))) {
          if (line.contains("ctxt_switches:")) switches += Long.parseLong(line.split("\\s+")[1]);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return new long[] {ticks, switches};
  }

  /** The trivial relay: each viewer's upstream on its own loop (or the next), bytes passed as read. */
  static void relay(int port, int target, int loops, boolean cross) throws Exception {
    EventLoopGroup group = new EpollEventLoopGroup(loops);
    new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true).childOption(EpollChannelOption.TCP_QUICKACK, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override protected void initChannel(Channel viewer) {
            var upLoop = cross ? group.next() : viewer.eventLoop();
            if (cross && upLoop == viewer.eventLoop()) upLoop = group.next();
            Channel up = new Bootstrap().group(upLoop).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).option(EpollChannelOption.TCP_QUICKACK, true)
                .handler(new Pipe(viewer)).connect("127.0.0.1", target)
                .addListener(f -> viewer.config().setAutoRead(true)).channel();
            viewer.pipeline().addLast(new Pipe(up));
          }
        }).bind("127.0.0.1", port).sync().channel().closeFuture().sync();
  }

  static final class Pipe extends ChannelInboundHandlerAdapter {
    final Channel to;
    Pipe(Channel to) { this.to = to; }
    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) { to.writeAndFlush(msg); }
    @Override public void channelInactive(ChannelHandlerContext ctx) { to.close(); }
  }
}
