package io.vncgate.providers.proxmox.api;

import io.vncgate.spi.Secret;
import java.util.Objects;

/**
 * The answer of {@code POST .../vncproxy} with {@code websocket=1}: a console worker that accepts
 * ONE {@code vncwebsocket} connection within 10 s, on {@code port}, with {@code ticket}; the VNC
 * password inside RFB is {@code password} (or, on PVE versions that send none, the ticket).
 */
public record ConsoleTicket(int port, Secret ticket, Secret password, String user) {
  public ConsoleTicket {
    Objects.requireNonNull(ticket, "ticket");
    if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
  }

  /** What the gateway answers QEMU's (or vncterm's) VNC authentication with. */
  public Secret vncPassword() {
    return password != null ? password : ticket;
  }
}
