// The URL fragment carries what the page is opened with: #token=<jwt>&target=<id>&role=view.
// The fragment never reaches the server (browsers do not send it), which is why the token
// travels there; the page moves the token to sessionStorage and takes it out of the address bar.

/** Parses a location.hash ("#a=1&b=2" or "") into {token, target, role}; absent keys are null. */
export function parseFragment(hash) {
  const params = new URLSearchParams((hash || "").replace(/^#/, ""));
  const role = params.get("role");
  return {
    token: params.get("token") || null,
    target: params.get("target") || null,
    role: role === "view" || role === "control" ? role : null,
  };
}

/** The fragment for a target and role, without any token: "#target=static%2Flab1&role=view" or "". */
export function fragmentFor(target, role) {
  const params = new URLSearchParams();
  if (target) params.set("target", target);
  if (target && role === "view") params.set("role", "view");
  const s = params.toString();
  return s ? "#" + s : "";
}

/** The claims of a JWT, decoded without verifying it (for display only: the gateway verifies). */
export function jwtClaims(token) {
  try {
    const part = token.split(".")[1];
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === "object" ? claims : {};
  } catch {
    return {};
  }
}

/** Seconds until the token expires (negative: expired), or null if it has no readable exp. */
export function secondsLeft(claims, nowMs) {
  return typeof claims.exp === "number" ? Math.floor(claims.exp - nowMs / 1000) : null;
}
