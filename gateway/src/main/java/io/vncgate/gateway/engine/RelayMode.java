package io.vncgate.gateway.engine;

/**
 * How this gateway relays large server payloads (a big rectangle's pixels), decided at start from
 * {@code server.zero-copy} and the machine: for the start-up log and the metric
 * {@code vncgate_relay_info}, which the benchmark reads.
 *
 * @param transport {@code epoll} (Netty's native transport) or {@code nio}
 * @param mode {@code spliced} (socket to socket through a kernel pipe), {@code bulk-reads} (read
 *     and written, in large reads while a payload streams) or {@code reads} (read and written as
 *     they come)
 * @param reason why, in words: the setting and what of the machine decided it
 */
public record RelayMode(String transport, String mode, String reason) {
  public static final String SPLICED = "spliced";
  public static final String BULK_READS = "bulk-reads";
  public static final String READS = "reads";

  /**
   * The mode for {@code setting} on this machine. Loads JNA (a native library unpacked to disk) and
   * reads {@code /proc}: call it at start, off the event loops.
   *
   * @param nativeTransport whether Vert.x runs on Netty's epoll transport
   * @param whyNot when it does not, why (null when it was not asked for)
   */
  public static RelayMode of(ZeroCopy setting, boolean nativeTransport, Throwable whyNot) {
    if (!nativeTransport) {
      String why = whyNot == null ? "epoll not asked for" : "epoll unavailable: " + whyNot.getMessage();
      return new RelayMode("nio", READS, why);
    }
    String key = "server.zero-copy: " + setting.value();
    if (setting == ZeroCopy.NEVER) return epoll(BULK_READS, key);
    if (!SplicePipe.available()) return epoll(BULK_READS, key + ", but JNA could not load to size splice pipes");
    if (setting == ZeroCopy.ALWAYS) return epoll(SPLICED, key);
    String cc = SplicePipe.defaultCongestionControl();
    if (cc == null) {
      return epoll(BULK_READS, key + ", and the TCP congestion control could not be read; `always` splices");
    }
    return setting.splicesUnder(cc) ? epoll(SPLICED, key + ", TCP congestion control " + cc)
        : epoll(BULK_READS, key + ", and the TCP congestion control is " + cc
            + ", under which splicing measured slower; `always` splices anyway");
  }

  private static RelayMode epoll(String mode, String reason) {
    return new RelayMode("epoll", mode, reason);
  }

  /** The start-up log's words. */
  public String describe() {
    if (transport.equals("nio")) return "relay on Java NIO (" + reason + "): large payloads are read as they come";
    return "relay on Netty's epoll transport: large payloads are "
        + (mode.equals(SPLICED) ? "spliced socket to socket" : "read in bulk") + " (" + reason + ")";
  }

  /**
   * Netty settings that must be made before Netty loads (first thing in {@code main}): with
   * {@code java.nio} opened (the jar's manifest does), Netty makes direct buffers with malloc
   * instead of {@code ByteBuffer.allocateDirect}, which zeroes every one — costly with the large
   * reads of {@link BulkReads}, which Netty does not pool (docs/performance.md, "Where the time
   * goes", 9).
   */
  public static void beforeNettyLoads() {
    if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
      System.setProperty("io.netty.tryReflectionSetAccessible", "true");
    }
  }
}
