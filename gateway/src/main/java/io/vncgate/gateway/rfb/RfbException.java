package io.vncgate.gateway.rfb;

import java.util.Objects;

/** An expected RFB failure: carries an {@link RfbFailure}, no stack trace. */
public final class RfbException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient RfbFailure failure;

  public RfbException(RfbFailure failure) {
    super(Objects.requireNonNull(failure, "failure").message(), null, false, false);
    this.failure = failure;
  }

  public RfbException(RfbFailure.Cause cause, String message) {
    this(new RfbFailure(cause, message));
  }

  public RfbFailure failure() {
    return failure;
  }
}
