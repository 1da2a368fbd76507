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

import { t } from "./i18n.js";

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
  const target = context.target || t("err.thisTarget");
  switch (failure.source) {
    case "http":
      return explainHttp(failure, target);
    case "network":
      return result(t("err.noAnswer"), failure.message,
        t("err.noAnswer.next"), RETRY);
    case "rfb":
      return explainReason(failure.reason || "", target, false);
    case "close":
      return explainClose(failure, target);
    case "ended":
      // the push channel's word on why this viewer's connection ended: an operator, or a plain drop
      return explainReason(failure.reason || "", target, true);
    default:
      return result(t("err.unknown"), String(failure.message || ""), t("err.reload"), STOP);
  }
}

function explainHttp({ status, message }, target) {
  if (status === 401) {
    return result(t("err.tokenRefused"), message,
      t("err.tokenRefused.next", { target }), STOP);
  }
  if (status === 403) {
    return result(t("err.forbidden"), message,
      t("err.forbidden.next"), STOP);
  }
  if (status === 404) {
    return result(t("err.noTarget", { target }), message, t("err.noTarget.next"), STOP);
  }
  if (status === 400 || status === 405 || status === 413) {
    return result(t("err.badRequest"), message,
      t("err.badRequest.next"), STOP);
  }
  if (status === 502 || status === 504) {
    return result(t("err.desktopUnavailable"), message,
      t("err.checkDesktop.next"), RETRY);
  }
  if (status === 503 && restarting(message)) {
    return result(t("err.restarting"), message, t("err.restarting.next"), RETRY);
  }
  if (status === 503) {
    return result(t("err.notReady"), message, t("err.notReady.next"), RETRY);
  }
  return result(t("err.httpFailed", { status }), message,
    t("err.httpFailed.next"), RETRY);
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
    return result(t("err.restarting"), reason, t("err.restarting.next"), RETRY);
  }
  if (r.includes("ticket")) {
    return result(t("err.ticket"), reason,
      t("err.ticket.next"), RETRY);
  }
  if (r.includes("refusing the gateway for now")) {
    // the target blacklisted the gateway's address after a burst: not a password problem, it passes
    return result(t("err.refusing"), reason,
      t("err.refusing.next"), RETRY);
  }
  if (r.includes("limits.upstream.handshakes-per-target")) {
    return result(t("err.busy"), reason,
      t("err.busy.next"), RETRY);
  }
  if (r.includes("too many") || r.includes("blocking the gateway")) {
    return result(t("err.blocking"), reason,
      t("err.blocking.next", { target }), STOP);
  }
  if (r.includes("authentication failed") || r.includes("check the vnc password")) {
    return result(t("err.login"), reason,
      t("err.login.next", { target }), STOP);
  }
  if (r.startsWith("idle for") || r.includes("idle-timeout")) {
    return result(t("err.idle"), reason, t("err.idle.next"), STOP);
  }
  if (r.includes("by operator")) {
    return result(r.startsWith("session ended") ? t("err.operatorEnded") : t("err.operatorKicked"), reason,
      t("err.ended.next"), STOP);
  }
  if (r.includes("session ended") || r.includes("terminated")) {
    return result(t("err.ended"), reason, t("err.ended.next"), STOP);
  }
  if (r.includes("not allowed") || r.includes("forbidden") || r.includes("no longer")) {
    return result(t("err.refused"), reason, t("err.refused.next"), STOP);
  }
  if (r.includes("did not speak rfb") || r.includes("not a server") || r.includes("unsupported")) {
    return result(t("err.notVnc"), reason,
      t("err.notVnc.next"), STOP);
  }
  if (wasConnected) {
    return result(t("err.closed"), reason, t("err.closed.next"), RETRY);
  }
  return result(t("err.unreachable"), reason,
    t("err.checkDesktop.next"), RETRY);
}

/** A failure the gateway marked final: say what to fix, and never retry by ourselves. */
function explainFinal(reason, r, target) {
  const after = t("err.final.after");
  if (r.includes("too many") || r.includes("blocking the gateway")) {
    return result(t("err.blocking"), reason,
      t("err.blocking.next", { target }), STOP);
  }
  if (r.includes("requires a vnc password")) {
    return result(t("err.noPassword"), reason,
      t("err.noPassword.next", { target }) + " " + after, STOP);
  }
  if (r.includes("authentication failed") || r.includes("check the vnc password") || r.includes("rejected the vnc password")) {
    return result(t("err.login"), reason,
      t("err.login.next", { target }) + " " + after, STOP);
  }
  if (r.includes("stored vnc password") || r.includes("settings for this target")) {
    return result(t("err.settings"), reason,
      t("err.settings.next") + " " + after, STOP);
  }
  return result(t("err.targetRefused"), reason,
    t("err.targetRefused.next") + " " + after, STOP);
}

function explainClose({ code, reason, wasConnected }, target) {
  if (code === FINAL_CLOSE_CODE) {
    // the close reason may be cut to 123 bytes, the note with it: the code alone is final
    return explainFinal(reason || "", (reason || "").toLowerCase() + " " + FINAL_NOTE, target);
  }
  if (code === IDLE_CLOSE_CODE) {
    return result(t("err.idle"), reason || t("err.wsCode", { code }),
      t("err.idle.next"), STOP);
  }
  if (reason) {
    const explained = explainReason(reason, target, wasConnected);
    // a policy close (1008) that no rule recognised is still not worth repeating
    return code === 1008 && explained.retry === RETRY && !reason.toLowerCase().includes("ticket")
      ? { ...explained, title: t("err.refused"), next: t("err.tryAgain.next"), retry: STOP }
      : explained;
  }
  if (code === 1003) {
    return result(t("err.protocol"), t("err.ws1003"),
      t("err.protocol.next"), STOP);
  }
  if (!wasConnected) {
    return result(t("err.noConnection"), code ? t("err.wsCode", { code }) : "",
      t("err.noConnection.next"), RETRY);
  }
  return result(t("err.lost"), code ? t("err.wsCode", { code }) : "",
    t("err.closed.next"), RETRY);
}
