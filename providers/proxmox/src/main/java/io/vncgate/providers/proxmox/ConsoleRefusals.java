package io.vncgate.providers.proxmox;

import io.vncgate.providers.proxmox.api.Guest;
import io.vncgate.spi.Route;
import io.vncgate.spi.Route.WebSocket.Refusal;
import io.vncgate.spi.Route.WebSocket.Remedy;
import java.util.Map;

/**
 * What pveproxy's answers to a {@code vncwebsocket} upgrade mean, in a PVE admin's words, for the
 * gateway to tell the viewer (see {@link Route.WebSocket#refusals}). From pve-http-server and
 * qemu-server: the upgrade first passes the API token (or ticket cookie) and {@code VM.Console} on
 * {@code /vms/<vmid>} (403), then {@code verify_vnc_ticket}: signed over user, guest and port and
 * younger than 40 s, else {@code 401 permission denied - invalid PVEVNC ticket}; then pveproxy
 * connects to the console worker that {@code vncproxy} started, which takes one connection within
 * 10 s. When nobody listens there any more, its connect callback dies outside the eval that would
 * answer, and the upgrade is left unanswered ({@link Route.WebSocket#NO_ANSWER}).
 */
final class ConsoleRefusals {
  private ConsoleRefusals() {}

  static Map<Integer, Refusal> of(Guest g, String principal) {
    String console = g.kind() + " on node " + g.node();
    String slow = " — open the console again; if it keeps happening, the gateway reaches node " + g.node()
        + " too slowly";
    return Map.of(
        401, new Refusal("Proxmox refused the console ticket for " + console + " (HTTP 401 at vncwebsocket): it"
            + " expired before the gateway opened the console (a vncproxy ticket is valid for 40 s)" + slow,
            Remedy.RESOLVE_AGAIN),
        Route.WebSocket.NO_ANSWER, new Refusal("Proxmox did not open the console of " + console + ": its console"
            + " worker (vncproxy) waits 10 s for one connection and had stopped waiting, or took another one, when"
            + " the gateway connected (pveproxy then leaves the WebSocket upgrade unanswered)" + slow,
            Remedy.RESOLVE_AGAIN),
        403, new Refusal("Proxmox refused opening the console of " + console + " (HTTP 403 at vncwebsocket) to "
            + principal + ": it needs the privilege VM.Console on /vms/" + g.vmid(), Remedy.OPERATOR));
  }
}
