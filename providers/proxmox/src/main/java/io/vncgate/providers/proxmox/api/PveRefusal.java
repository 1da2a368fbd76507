package io.vncgate.providers.proxmox.api;

import io.vncgate.spi.ProviderException;

/** The API answered with an HTTP error status; the message says what it means for a PVE admin. */
final class PveRefusal extends ProviderException {
  private final int status;

  PveRefusal(Kind kind, int status, String message) {
    super(kind, message);
    this.status = status;
  }

  int status() {
    return status;
  }
}
