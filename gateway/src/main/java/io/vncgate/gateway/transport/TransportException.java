package io.vncgate.gateway.transport;

/** A transport failure whose message is safe to show a user: plain words, no secrets. */
public class TransportException extends RuntimeException {
  private final boolean operatorMustFix;

  public TransportException(String message) {
    this(message, false);
  }

  /**
   * @param operatorMustFix the gateway's settings for the target are what is wrong (a TLS
   *     certificate that is not the pinned one or not trusted, an unusable CA file): trying again
   *     fails the same way until the operator changes them
   */
  public TransportException(String message, boolean operatorMustFix) {
    super(message, null, false, false);
    this.operatorMustFix = operatorMustFix;
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause, false, false);
    this.operatorMustFix = false;
  }

  /** Only the operator can fix it (see the constructor): the viewer is told so and not retried. */
  public boolean operatorMustFix() {
    return operatorMustFix;
  }
}
