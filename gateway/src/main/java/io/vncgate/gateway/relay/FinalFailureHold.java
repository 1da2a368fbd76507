package io.vncgate.gateway.relay;

import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.failure.Status;
import io.vncgate.spi.Credentials;
import io.vncgate.spi.TargetRoute;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's own guard against locking a target out. The page stops after a final failure,
 * but five users (or five tabs, or native viewers) opening a misconfigured desktop would still
 * make five attempts, and TigerVNC blacklists the gateway's address after five. So when an
 * attempt failed in a way that counts against such a blacklist (no password configured, a wrong
 * one or "too many" failures answered to the password, no common security type; the address being
 * blocked right after the banner is waited out by {@link UpstreamPacer} instead), the gateway does not connect to
 * that target again with the same credentials for {@link #HOLD}: it answers at once with the same
 * words. Changed credentials (the operator fixed the password file) are tried at once.
 */
public final class FinalFailureHold {
  static final Duration HOLD = Duration.ofSeconds(60);
  private static final Set<Outcome> HELD = EnumSet.of(Outcome.PASSWORD_REQUIRED, Outcome.AUTH_FAILED,
      Outcome.TOO_MANY_ATTEMPTS, Outcome.NO_COMMON_SECURITY);
  private static final int PRUNE_ABOVE = 1024;

  private record Entry(String fingerprint, String reason, long atNanos) {}

  private final ConcurrentHashMap<String, Entry> byTarget = new ConcurrentHashMap<>();

  /** The refusal for a new attempt at {@code target} with {@code route}'s credentials, if one is held. */
  Optional<String> refusal(String target, TargetRoute route) {
    Entry e = byTarget.get(target);
    if (e == null) return Optional.empty();
    long ago = System.nanoTime() - e.atNanos;
    if (ago >= HOLD.toNanos() || !e.fingerprint.equals(fingerprint(route.credentials()))) {
      byTarget.remove(target, e);
      return Optional.empty();
    }
    String reason = e.reason.endsWith(Status.NEEDS_OPERATOR_NOTE)
        ? e.reason.substring(0, e.reason.length() - Status.NEEDS_OPERATOR_NOTE.length()).stripTrailing() : e.reason;
    return Optional.of(reason + "; the gateway did not try again: the same settings failed " + Duration.ofNanos(ago).toSeconds()
        + " s ago (it waits until they change, or " + HOLD.toSeconds() + " s)");
  }

  /** An attempt failed; held when the outcome counts against a target's blacklist. */
  void failed(String target, TargetRoute route, Outcome outcome, String reason) {
    if (route == null || !HELD.contains(outcome)) return;
    if (byTarget.size() > PRUNE_ABOVE) {
      long now = System.nanoTime();
      byTarget.values().removeIf(x -> now - x.atNanos >= HOLD.toNanos());
    }
    byTarget.put(target, new Entry(fingerprint(route.credentials()), reason, System.nanoTime()));
  }

  /** The target let the gateway in: nothing held any more. */
  void succeeded(String target) {
    byTarget.remove(target);
  }

  /** Which credentials, as a digest (the password itself is never kept here). */
  static String fingerprint(Credentials c) {
    if (c instanceof Credentials.VncPassword p) {
      byte[] bytes = p.password().bytes();
      try {
        return "vnc:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
    if (c instanceof Credentials.VncPasswordOnHost h) return "host:" + h.path();
    return c.getClass().getSimpleName();
  }
}
