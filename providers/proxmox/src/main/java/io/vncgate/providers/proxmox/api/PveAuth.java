package io.vncgate.providers.proxmox.api;

import java.util.concurrent.CompletableFuture;

/** Where a cluster's {@link ApiAuth} comes from: an API token, or a login ticket. */
interface PveAuth {

  /** The auth to use now; for a ticket, a login when there is none or it is old. */
  CompletableFuture<ApiAuth> current();

  /**
   * The API answered 401 to {@code refused}: forget it if it is a ticket (it expired early or the
   * cluster's auth key changed). True when asking {@link #current()} again may help.
   */
  default boolean refused(ApiAuth refused) {
    return false;
  }
}
