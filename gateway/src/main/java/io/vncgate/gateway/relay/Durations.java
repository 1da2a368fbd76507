package io.vncgate.gateway.relay;

import java.time.Duration;

/** Durations in the words of reasons and logs. */
final class Durations {
  private Durations() {}

  /** {@code 500 ms}, {@code 30 s}, {@code 5 min}, {@code 3 h}. */
  static String human(Duration d) {
    if (d.toSeconds() < 10 && d.toMillis() % 1000 != 0) return d.toMillis() + " ms";
    return d.toSeconds() < 120 ? d.toSeconds() + " s" : d.toMinutes() < 120 ? d.toMinutes() + " min" : d.toHours() + " h";
  }
}
