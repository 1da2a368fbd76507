// Every failure the viewer can meet, explained in words with what to do next, and whether the
// page should try again by itself. Inputs are plain objects so this can be tested without a
// browser:
//   {source: "http", status, message}        a JSON {"error"} reply from the gateway's API
//   {source: "network", message}             fetch could not reach the gateway
//   {source: "rfb", reason}                  an RFB failure reason (noVNC "securityfailure")
//   {source: "close", code, reason, wasConnected}   the WebSocket's close code and reason
//   {source: "ended", reason}                the session was ended (push channel)
//
// retry: "backoff" (the page reconnects by itself, with growing delays) or "never" (it waits
// for the user: the same attempt would fail the same way).

const RETRY = "backoff";
const STOP = "never";

// The gateway ends the reason of every failure only its operator can fix (no or a wrong VNC
// password, a target that blocks it, not a VNC server...) with this note, and closes the
// WebSocket with FINAL_CLOSE_CODE: retrying would fail the same way, and against TigerVNC every
// retry counts as a failed login until it blacklists the gateway for everyone (docs/api.md).
export const FINAL_NOTE = "(not retried: the operator must fix this first)";
export const FINAL_CLOSE_CODE = 4001;
// The gateway closed a connection nothing passed through for server.idle-timeout: the page
// waits for the user (reconnecting by itself would defeat the timeout).
export const IDLE_CLOSE_CODE = 4002;

function result(title, detail, next, retry) {
  return { title, detail: detail || "", next, retry };
}

export function explain(failure, context = {}) {
  const target = context.target || "this target";
  switch (failure.source) {
    case "http":
      return explainHttp(failure, target);
    case "network":
      return result("The gateway does not answer", failure.message,
        "Check that vncgate is running and that this computer can reach it. The page keeps trying.", RETRY);
    case "rfb":
      return explainReason(failure.reason || "", target, false);
    case "close":
      return explainClose(failure, target);
    case "ended":
      // the push channel's word on why this viewer's connection ended: an operator, or a plain drop
      return explainReason(failure.reason || "", target, true);
    default:
      return result("Something went wrong", String(failure.message || ""), "Reload the page.", STOP);
  }
}

function explainHttp({ status, message }, target) {
  if (status === 401) {
    return result("Your sign-in token was not accepted", message,
      "Open a fresh link: run `vncgate open " + target + "` (or `vncgate demo`) again, or ask whoever sent you the link for a new one.", STOP);
  }
  if (status === 403) {
    return result("You are not allowed to do that", message,
      "Ask the gateway's operator for a token that grants this target (or the control role).", STOP);
  }
  if (status === 404) {
    return result("There is no target " + target, message, "Pick a target from the list.", STOP);
  }
  if (status === 400 || status === 405 || status === 413) {
    return result("The gateway did not understand the page", message,
      "The page and the gateway may be different versions: reload the page.", STOP);
  }
  if (status === 502 || status === 504) {
    return result("The desktop is not available", message,
      "Check that the desktop is running and reachable from the gateway. The page keeps trying.", RETRY);
  }
  if (status === 503 && restarting(message)) {
    return result("The gateway is restarting", message, "The page reconnects by itself once it is back.", RETRY);
  }
  if (status === 503) {
    return result("The gateway is not ready yet", message, "It is starting or its providers are not ready. The page keeps trying.", RETRY);
  }
  return result("The gateway failed (HTTP " + status + ")", message,
    "The page keeps trying; if this lasts, the gateway's log says why.", RETRY);
}

/** The words of a gateway that drains on SIGTERM (WebSocket close 1001, RFB failure, HTTP 503). */
function restarting(text) {
  return String(text || "").toLowerCase().includes("the gateway is restarting");
}

function explainReason(reason, target, wasConnected) {
  const r = reason.toLowerCase();
  if (r.includes(FINAL_NOTE)) return explainFinal(reason, r, target);
  if (restarting(r)) {
    // a graceful drain (SIGTERM): the page asks for a fresh ticket, with growing delays, until it is back
    return result("The gateway is restarting", reason, "The page reconnects by itself once it is back.", RETRY);
  }
  if (r.includes("ticket")) {
    return result("The connection ticket was not accepted", reason,
      "Tickets work once and expire quickly; the page asks for a fresh one.", RETRY);
  }
  if (r.includes("refusing the gateway for now")) {
    // the target blacklisted the gateway's address after a burst: not a password problem, it passes
    return result("The desktop is refusing connections for a while", reason,
      "Too many connections reached it at once. This is not a password problem; the page tries again by itself.", RETRY);
  }
  if (r.includes("limits.upstream.handshakes-per-target")) {
    return result("The desktop was busy letting other viewers in", reason,
      "Many viewers opened it at once and your turn did not come in time. The page tries again by itself.", RETRY);
  }
  if (r.includes("too many") || r.includes("blocking the gateway")) {
    return result("The desktop's VNC server is blocking the gateway", reason,
      "It saw too many failed logins. The operator must fix the VNC password stored for " + target
        + " and wait for the block to expire; then press Reconnect.", STOP);
  }
  if (r.includes("authentication failed") || r.includes("check the vnc password")) {
    return result("The gateway could not log in to the desktop", reason,
      "The VNC password the gateway holds for " + target + " is wrong; tell the operator.", STOP);
  }
  if (r.startsWith("idle for") || r.includes("idle-timeout")) {
    return result("Closed after a long idle time", reason, "Press Reconnect when you need the desktop again.", STOP);
  }
  if (r.includes("by operator")) {
    return result(r.startsWith("session ended") ? "An operator ended this session" : "An operator disconnected you", reason,
      "Press Reconnect when you are allowed to again.", STOP);
  }
  if (r.includes("session ended") || r.includes("terminated")) {
    return result("The session was ended", reason, "Press Reconnect when you are allowed to again.", STOP);
  }
  if (r.includes("not allowed") || r.includes("forbidden") || r.includes("no longer")) {
    return result("The gateway refused the connection", reason, "Ask the gateway's operator for access.", STOP);
  }
  if (r.includes("did not speak rfb") || r.includes("not a server") || r.includes("unsupported")) {
    return result("The target does not speak VNC as expected", reason,
      "The target's address may point at another service; tell the operator.", STOP);
  }
  if (wasConnected) {
    return result("The desktop's connection closed", reason, "The page reconnects by itself.", RETRY);
  }
  return result("The desktop is not reachable", reason,
    "Check that the desktop is running and reachable from the gateway. The page keeps trying.", RETRY);
}

/** A failure the gateway marked final: say what to fix, and never retry by ourselves. */
function explainFinal(reason, r, target) {
  const after = "The page does not retry this by itself; press Reconnect once it is fixed.";
  if (r.includes("too many") || r.includes("blocking the gateway")) {
    return result("The desktop's VNC server is blocking the gateway", reason,
      "It saw too many failed logins. The operator must fix the VNC password stored for " + target
        + " and wait for the block to expire; then press Reconnect.", STOP);
  }
  if (r.includes("requires a vnc password")) {
    return result("The desktop needs a VNC password the gateway does not have", reason,
      "Tell the gateway's operator: a VNC password must be configured for " + target + ". " + after, STOP);
  }
  if (r.includes("authentication failed") || r.includes("check the vnc password") || r.includes("rejected the vnc password")) {
    return result("The gateway could not log in to the desktop", reason,
      "The VNC password the gateway holds for " + target + " is wrong; tell the operator. " + after, STOP);
  }
  if (r.includes("stored vnc password") || r.includes("settings for this target")) {
    return result("The gateway's settings for this desktop are wrong", reason,
      "Tell the gateway's operator; its log says what to fix. " + after, STOP);
  }
  return result("The desktop refused the gateway", reason,
    "Tell the gateway's operator: the detail above says what to fix. " + after, STOP);
}

function explainClose({ code, reason, wasConnected }, target) {
  if (code === FINAL_CLOSE_CODE) {
    // the close reason may be cut to 123 bytes, the note with it: the code alone is final
    return explainFinal(reason || "", (reason || "").toLowerCase() + " " + FINAL_NOTE, target);
  }
  if (code === IDLE_CLOSE_CODE) {
    return result("Closed after a long idle time", reason || "WebSocket closed with code " + code,
      "Press Reconnect when you need the desktop again.", STOP);
  }
  if (reason) {
    const explained = explainReason(reason, target, wasConnected);
    // a policy close (1008) that no rule recognised is still not worth repeating
    return code === 1008 && explained.retry === RETRY && !reason.toLowerCase().includes("ticket")
      ? { ...explained, title: "The gateway refused the connection", next: "Press Reconnect to try again.", retry: STOP }
      : explained;
  }
  if (code === 1003) {
    return result("The page and the gateway disagree on the protocol", "WebSocket closed with code 1003",
      "Reload the page; if it persists, the page and gateway versions differ.", STOP);
  }
  if (!wasConnected) {
    return result("Could not open a connection to the gateway", code ? "WebSocket closed with code " + code : "",
      "Check that the gateway is running. If it is, this page's address may be missing from the gateway's "
        + "server.allowed-origins. The page keeps trying.", RETRY);
  }
  return result("The connection to the gateway was lost", code ? "WebSocket closed with code " + code : "",
    "The page reconnects by itself.", RETRY);
}
