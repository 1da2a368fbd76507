package io.vncgate.gateway.relay;

import io.vertx.core.Future;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.provider.ProviderRegistry;
import java.time.Duration;

/**
 * A target went away while relaying (the VNC server closed the connection or it broke): its
 * provider is asked why ({@code TargetProvider.whyEnded}) and its words are added to the
 * gateway's, e.g. "the VNC server closed the connection: container lab1 was removed". The
 * outcome stays the gateway's; the words are only words.
 */
final class EndReasons {
  /**
   * How long the gateway waits for the provider's words before it ends with its own: long enough
   * for one API call to a local engine or cluster, short enough that the viewer is not kept waiting.
   */
  static final Duration BOUND = Duration.ofSeconds(1);
  /** Provider words longer than this are cut: they go to the viewer, the audit and the log. */
  static final int MAX_WORDS = 200;

  private EndReasons() {}

  /**
   * {@code reason} with the provider's words added, or {@code reason} alone when it does not say
   * (or fails, or takes longer than {@link #BOUND}). Never fails; completes on the caller's loop.
   */
  static Future<String> explain(ProviderRegistry providers, TicketGrant grant, String reason) {
    return providers.whyEnded(grant.targetId(), grant.user(), BOUND)
        .map(words -> words.map(EndReasons::oneLine).filter(w -> !w.isEmpty()).map(w -> reason + ": " + w).orElse(reason))
        .otherwise(reason);
  }

  /** The provider's words on one line, without control characters, at most {@link #MAX_WORDS} characters. */
  static String oneLine(String words) {
    String line = words.replaceAll("\\p{Cntrl}+", " ").strip();
    return line.length() <= MAX_WORDS ? line : line.substring(0, MAX_WORDS - 3) + "...";
  }
}
