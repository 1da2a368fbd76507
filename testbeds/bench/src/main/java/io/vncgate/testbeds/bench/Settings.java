package io.vncgate.testbeds.bench;

import io.vertx.core.json.JsonObject;

/**
 * How long and how hard each phase runs. {@code full} is the published run; {@code quick} the
 * same shape in under a minute; {@code smoke} a few seconds for the test suite (figures are
 * well-formed but not meaningful).
 */
record Settings(
    String mode,
    int width,
    int height,
    double throughputWarmupS,
    double throughputS,
    int throughputRounds,
    double rtt1WarmupS,
    double rtt1S,
    long rtt1IntervalUs,
    int rttViewers,
    double rttNWarmupS,
    double rttNS,
    long rttNIntervalUs,
    int idleViewers,
    int websockifyIdleViewers,
    double idleHoldS,
    double gatewayWarmupS) {

  /** Round trips of many viewers: one request per viewer every 17 ms, noVNC's mouse-move throttle. */
  static final long INTERACTIVE_INTERVAL_US = 17_000;

  static Settings of(String mode) {
    return switch (mode) {
      case "full" -> new Settings(mode, 1920, 1080, 2, 4, 3, 2, 15, 1000, 100, 3, 20, INTERACTIVE_INTERVAL_US, 2000, 200, 5, 10);
      case "quick" -> new Settings(mode, 1920, 1080, 0.5, 2, 1, 0.5, 2, 1000, 100, 0.5, 2.5, INTERACTIVE_INTERVAL_US, 600, 20, 1, 3);
      case "smoke" -> new Settings(mode, 640, 480, 0.2, 0.5, 2, 0.1, 0.4, 1000, 10, 0.2, 0.5, INTERACTIVE_INTERVAL_US, 100, 10, 0.2, 0.5);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    };
  }

  /** The same, with {@code n} idle viewers for the gateway and websockify-js (--idle). */
  Settings withIdleViewers(int n) {
    return new Settings(mode, width, height, throughputWarmupS, throughputS, throughputRounds, rtt1WarmupS, rtt1S,
        rtt1IntervalUs, rttViewers, rttNWarmupS, rttNS, rttNIntervalUs, n, websockifyIdleViewers, idleHoldS, gatewayWarmupS);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("mode", mode)
        .put("framebuffer", width + "x" + height + " 32bpp, Raw")
        .put("full_update_bytes", SyntheticRfbServer.fullUpdateBytes(width, height))
        .put("throughput_warmup_s", throughputWarmupS)
        .put("throughput_s", throughputS)
        .put("throughput_rounds", throughputRounds)
        .put("rtt_1_warmup_s", rtt1WarmupS)
        .put("rtt_1_s", rtt1S)
        .put("rtt_1_interval_us", rtt1IntervalUs)
        .put("rtt_viewers", rttViewers)
        .put("rtt_n_warmup_s", rttNWarmupS)
        .put("rtt_n_s", rttNS)
        .put("rtt_n_interval_us", rttNIntervalUs)
        .put("idle_viewers", idleViewers)
        .put("websockify_idle_viewers", websockifyIdleViewers)
        .put("idle_hold_s", idleHoldS)
        .put("gateway_warmup_s", gatewayWarmupS);
  }
}
