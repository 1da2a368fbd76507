// The gateway's endpoints relative to the page, so the page works at the root of its origin and
// under a path prefix a proxy strips (jupyter-server-proxy serves it at /user/<name>/vncgate/ and
// forwards /user/<name>/vncgate/api/v1/... as /api/v1/...): "/api/v1/targets" is asked as
// "<page folder>/api/v1/targets".

/** A gateway path ("/api/v1/targets") as a URL next to the page at {@code pageHref}. */
export function gatewayUrl(path, pageHref) {
  return new URL(path.replace(/^\/+/, ""), pageHref).href;
}

/** The same for a WebSocket: ws: or wss: as the page is http: or https:. */
export function gatewayWsUrl(path, pageHref) {
  const u = new URL(path.replace(/^\/+/, ""), pageHref);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.href;
}
