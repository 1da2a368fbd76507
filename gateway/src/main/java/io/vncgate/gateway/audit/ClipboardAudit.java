package io.vncgate.gateway.audit;

import io.vertx.core.json.JsonObject;
import io.vncgate.gateway.auth.TicketGrant;
import io.vncgate.gateway.failure.Outcome;
import io.vncgate.gateway.relay.ConnectionListener;
import io.vncgate.gateway.relay.ViewerConnection;
import io.vncgate.gateway.rfb.CutText;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The audit's {@code clipboard} line: a clipboard text that passed from a viewer to its target
 * ({@code to-target}) or from the target to a viewer ({@code to-viewer}), with its size and the
 * start of its SHA-256 — never the text. The hash is worked out on the audit thread, never on the
 * event loop. A connection gets {@value #BURST} lines at once and then one per
 * {@value #REFILL_SECONDS} s per direction; what a flood makes beyond that is counted and written
 * as one {@code clipboard.suppressed} line when the connection ends.
 */
public final class ClipboardAudit implements ConnectionListener {
  static final int BURST = 10;
  static final int REFILL_SECONDS = 5;
  /** Hex digits of the SHA-256 kept: 64 bits, enough to match a known text, and no more. */
  static final int HASH_HEX = 16;
  /** Text hashed at most (an extended provide inflates: a small message may hold a large text). */
  static final long MAX_TEXT = 256L * 1024 * 1024;

  private final AuditLog audit;
  private final Map<ViewerConnection, Buckets> buckets = new ConcurrentHashMap<>();

  public ClipboardAudit(AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public void clipboardToTarget(ViewerConnection connection, CutText text) {
    record(connection, "to-target", text, true);
  }

  @Override
  public void clipboardToViewer(ViewerConnection connection, CutText text) {
    record(connection, "to-viewer", text, false);
  }

  @Override
  public void closed(ViewerConnection connection, Outcome outcome, String reason) {
    Buckets b = buckets.remove(connection);
    TicketGrant g = connection.grant();
    if (b == null || g == null) return;
    for (Bucket bucket : new Bucket[] {b.toTarget, b.toViewer}) {
      if (bucket.suppressed == 0) continue;
      long n = bucket.suppressed;
      String direction = bucket == b.toTarget ? "to-target" : "to-viewer";
      audit.eventWorkedOut("clipboard.suppressed", g.user().subject(), g.targetId(), g.sessionId(), g.connectionId(),
          line -> line.put("direction", direction).put("count", n)
              .put("cause", "more than " + BURST + " clipboard texts at once, or more than one per " + REFILL_SECONDS
                  + " s after that, on this connection: counted, not hashed"));
    }
  }

  private void record(ViewerConnection connection, String direction, CutText text, boolean toTarget) {
    TicketGrant g = connection.grant();
    if (g == null) return;
    Buckets b = buckets.computeIfAbsent(connection, c -> new Buckets());
    if (!(toTarget ? b.toTarget : b.toViewer).take(System.nanoTime())) return;
    audit.eventWorkedOut("clipboard", g.user().subject(), g.targetId(), g.sessionId(), g.connectionId(),
        line -> describe(line.put("direction", direction), text));
  }

  /** Adds {@code bytes} (the text's UTF-8 length, line ends as LF) and {@code sha256} (its first hex digits). */
  static JsonObject describe(JsonObject line, CutText text) {
    line.put("format", text.extended() ? "extended" : "classic");
    if (!text.hasText()) {
      return line.put("bytes", text.wireBytes()).put("cause", "no text in this extended clipboard data: not hashed");
    }
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long bytes = 0;
    try (InputStream in = text.utf8(MAX_TEXT)) {
      byte[] buf = new byte[8192];
      byte[] out = new byte[8193];
      boolean cr = false; // a CR held back: CR LF is hashed as LF, so both clipboard kinds hash a text alike
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        int o = 0;
        for (int i = 0; i < n; i++) {
          byte c = buf[i];
          if (cr && c != '\n') out[o++] = '\r';
          cr = c == '\r';
          if (!cr) out[o++] = c;
        }
        sha.update(out, 0, o);
        bytes += o;
      }
      if (cr) {
        sha.update((byte) '\r');
        bytes++;
      }
    } catch (IOException e) {
      return line.put("bytes", text.wireBytes()).put("cause", e.getMessage() + ": not hashed");
    }
    return line.put("bytes", bytes).put("sha256", HexFormat.of().formatHex(sha.digest()).substring(0, HASH_HEX));
  }

  /** One connection's allowance, each direction apart. */
  private static final class Buckets {
    final Bucket toTarget = new Bucket();
    final Bucket toViewer = new Bucket();
  }

  /** A token bucket: {@link #BURST} at once, one more each {@link #REFILL_SECONDS} s. */
  private static final class Bucket {
    private double tokens = BURST;
    private long last = System.nanoTime();
    long suppressed;

    synchronized boolean take(long now) {
      tokens = Math.min(BURST, tokens + (now - last) / (REFILL_SECONDS * 1e9));
      last = now;
      if (tokens >= 1) {
        tokens--;
        return true;
      }
      suppressed++;
      return false;
    }
  }
}
