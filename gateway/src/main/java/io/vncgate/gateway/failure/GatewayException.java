package io.vncgate.gateway.failure;

import io.vncgate.gateway.transport.TransportException;
import io.vncgate.spi.ProviderException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * An expected failure: a status and a message in words that is safe to show the user (it never
 * holds a secret). Stack-less unless it wraps an unexpected cause.
 */
public class GatewayException extends RuntimeException {
  private final Status status;
  private final String logDetail;

  public GatewayException(Status status, String message) {
    this(status, message, (String) null);
  }

  /**
   * @param logDetail words for the operator's log only (a file path, an exception name), never
   *     shown to a viewer; null when the message says it all
   */
  public GatewayException(Status status, String message, String logDetail) {
    super(message, null, false, false);
    this.status = status;
    this.logDetail = logDetail;
  }

  public GatewayException(Status status, String message, Throwable cause) {
    super(message, cause, false, false);
    this.status = status;
    this.logDetail = null;
  }

  /** What the operator's log adds to the message (never shown to a viewer), or null. */
  public String logDetail() {
    return logDetail;
  }

  public Status status() {
    return status;
  }

  /**
   * Maps any throwable to a gateway failure. Known kinds keep their words; anything else becomes
   * an internal error whose message does not leak internals.
   */
  public static GatewayException from(Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof GatewayException g) return g;
    if (e instanceof ProviderException p && p.kind() == ProviderException.Kind.MISCONFIGURED) {
      // its words may name the gateway's files: for the log only
      return new GatewayException(Status.NEEDS_OPERATOR, "the gateway's settings for this target are wrong;"
          + " the operator's log says why", p.getMessage());
    }
    if (e instanceof ProviderException p) {
      Status s = switch (p.kind()) {
        case NOT_FOUND -> Status.NOT_FOUND;
        case FORBIDDEN -> Status.FORBIDDEN;
        case UNAVAILABLE -> Status.UPSTREAM_FAILED;
        case MISCONFIGURED -> Status.INTERNAL;
      };
      return new GatewayException(s, p.getMessage());
    }
    if (e instanceof TransportException te) {
      return new GatewayException(te.operatorMustFix() ? Status.NEEDS_OPERATOR : Status.UPSTREAM_FAILED, te.getMessage());
    }
    if (e instanceof TimeoutException) return new GatewayException(Status.UPSTREAM_TIMEOUT, "timed out");
    // no Java class name for the user: the cause (with its stack) is for the operator's log
    return new GatewayException(Status.INTERNAL, "internal error in the gateway; its operator's log says why", e);
  }
}
