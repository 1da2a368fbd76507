package io.vncgate.providers.proxmox.api;

import io.vncgate.spi.Secret;
import java.util.Objects;

/**
 * What proves the gateway's identity on one request: the header ({@code Authorization:
 * PVEAPIToken=...} or {@code Cookie: PVEAuthCookie=...}) and, for a ticket, the
 * {@code CSRFPreventionToken} that POSTs need. The same header opens the {@code vncwebsocket}.
 */
public record ApiAuth(String headerName, Secret headerValue, Secret csrfToken) {
  public ApiAuth {
    Objects.requireNonNull(headerName, "headerName");
    Objects.requireNonNull(headerValue, "headerValue");
  }
}
