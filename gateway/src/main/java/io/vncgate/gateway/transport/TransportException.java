package io.vncgate.gateway.transport;

/** A transport failure whose message is safe to show a user: plain words, no secrets. */
public class TransportException extends RuntimeException {

  public TransportException(String message) {
    super(message, null, false, false);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
