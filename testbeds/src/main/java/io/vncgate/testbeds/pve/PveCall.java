package io.vncgate.testbeds.pve;

import java.time.Instant;

/**
 * One request the testbed answered: method, path (decoded), raw query, the status it answered
 * (101 for an accepted WebSocket, 0 when it closed the connection without an answer, as PVE does
 * when no vncproxy worker listens on the port any more), and the authenticated user or token id
 * ({@code vncgate@pve!gateway}), null when authentication failed.
 */
public record PveCall(Instant at, String method, String path, String query, int status, String principal) {

  /** {@code GET /api2/json/...?query} as it arrived — what an access log or a proxy would see. */
  public String requestLine() {
    return method + " " + path + (query == null || query.isEmpty() ? "" : "?" + query);
  }

  /** True for a {@code vncproxy} call of guest {@code vmid}. */
  public boolean isVncProxy(int vmid) {
    return path.matches("/api2/json/nodes/[^/]+/(qemu|lxc)/" + vmid + "/vncproxy");
  }

  /** True for a {@code vncwebsocket} call of guest {@code vmid}. */
  public boolean isVncWebSocket(int vmid) {
    return path.matches("/api2/json/nodes/[^/]+/(qemu|lxc)/" + vmid + "/vncwebsocket");
  }
}
