package io.vncgate.spi;

/**
 * A failure a provider can name. The message is shown to users: say what happened and what to
 * do, and never include a secret. Thrown without a stack trace unless a cause is given.
 */
public class ProviderException extends RuntimeException {

  /** What kind of failure, mapped by the gateway to an HTTP status and an RFB reason. */
  public enum Kind {
    /** No such target (404). */
    NOT_FOUND,
    /** The caller may not use this target (403). */
    FORBIDDEN,
    /** The target or the provider's API cannot be reached right now (502). */
    UNAVAILABLE,
    /** The provider's configuration is wrong (500). */
    MISCONFIGURED
  }

  private final Kind kind;

  public ProviderException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public ProviderException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
