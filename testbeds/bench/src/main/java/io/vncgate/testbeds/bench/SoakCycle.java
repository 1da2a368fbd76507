package io.vncgate.testbeds.bench;

import java.util.List;
import java.util.Random;

/** The kinds of connect/disconnect cycle the soak mixes, with their share of the cycles (per cent). */
enum SoakCycle {
  FULL_WS(15, "full session over WebSocket (ticket in the subprotocol): handshake, 3 full-screen updates, close"),
  FULL_TCP(13, "full session over the TCP front (VNC auth with the ticket): handshake, 3 full-screen updates, close"),
  HANG_UP_AT_BANNER(8, "viewer hangs up on the gateway's banner, before answering it"),
  HANG_UP_AFTER_SECURITY(8, "viewer hangs up on SecurityResult OK (the target's handshake done), before ClientInit"),
  HANG_UP_AFTER_CLIENT_INIT(8, "viewer hangs up right after ClientInit, before ServerInit"),
  WS_UPGRADE_THEN_CLOSE(8, "WebSocket upgrade with a valid ticket, closed at once"),
  TICKET_NEVER_USED(8, "ticket asked for and never used (it expires)"),
  REFUSED_UPSTREAM(10, "target port refuses the connection: the viewer must be told why"),
  SILENT_UPSTREAM(6, "target accepts and never sends a banner: viewer hangs up after 300 ms, or waits for the gateway's timeout"),
  UPSTREAM_HANGS_UP(10, "target sends its banner and hangs up on the answer: the viewer must be told why"),
  SERVER_KILLED(6, "two viewers (WS and TCP) relaying from an Xvnc that is SIGKILLed; one more tries while it is down; restarted");

  final int weight;
  final String description;

  SoakCycle(int weight, String description) {
    this.weight = weight;
    this.description = description;
  }

  /**
   * {@code n} kinds in a random order from {@code seed}: every kind at least once (for a short
   * run), the rest drawn by weight.
   */
  static List<SoakCycle> plan(int n, long seed) {
    Random random = new Random(seed);
    int total = 0;
    for (SoakCycle k : values()) total += k.weight;
    SoakCycle[] plan = new SoakCycle[n];
    for (int i = 0; i < n; i++) {
      if (i < values().length) {
        plan[i] = values()[i];
        continue;
      }
      int r = random.nextInt(total);
      for (SoakCycle k : values()) {
        r -= k.weight;
        if (r < 0) {
          plan[i] = k;
          break;
        }
      }
    }
    for (int i = n - 1; i > 0; i--) { // shuffled, so the guaranteed ones are not all at the start
      int j = random.nextInt(i + 1);
      SoakCycle t = plan[i];
      plan[i] = plan[j];
      plan[j] = t;
    }
    return List.of(plan);
  }
}
