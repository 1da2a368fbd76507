import assert from "node:assert/strict";
import { test } from "node:test";
import { explain } from "../src/app/errors.js";

const ctx = { target: "static/lab1" };

test("an unreachable target is retried, in words", () => {
  const p = explain({ source: "rfb", reason: "target static/lab1 unreachable: connection refused" }, ctx);
  assert.equal(p.retry, "backoff");
  assert.match(p.title, /not reachable/);
  assert.equal(p.detail, "target static/lab1 unreachable: connection refused");
  assert.match(p.next, /running/);
});

test("a used or expired ticket is retried with a fresh one", () => {
  const p = explain({ source: "rfb", reason: "the ticket is not valid (tickets work once and expire after 30 s)" }, ctx);
  assert.equal(p.retry, "backoff");
});

test("a server that blocks the gateway is not hammered", () => {
  const p = explain({ source: "rfb", reason: "target static/lab1: Too many security failures (the VNC server is blocking the gateway after failed logins; fix the stored password, then wait)" }, ctx);
  assert.equal(p.retry, "never");
  assert.match(p.next, /password/);
});

test("a target that blacklisted the gateway's address after a burst is retried and is not called a password problem", () => {
  const reason = "target static/lab1 is refusing the gateway for now: its VNC server blacklisted the gateway's address after"
    + " too many connections or failed logins from it (\"Too many security failures\"). This is not your password or the"
    + " stored one; the gateway tries again in 9 s: reconnect then";
  for (const failure of [{ source: "rfb", reason }, { source: "close", code: 1013, reason: reason.slice(0, 120) + "..." }]) {
    const p = explain(failure, ctx);
    assert.equal(p.retry, "backoff");
    assert.match(p.title, /refusing connections for a while/);
    assert.match(p.next, /not a password problem/);
  }
});

test("a viewer whose turn at a busy target did not come in time is retried", () => {
  const p = explain({ source: "rfb", reason: "waited 30 s for target static/lab1 behind 40 other viewers (the gateway opens at most 3"
    + " connections to a target at a time: limits.upstream.handshakes-per-target); try again" }, ctx);
  assert.equal(p.retry, "backoff");
  assert.match(p.title, /busy/);
});

test("a wrong stored password says whom to tell", () => {
  const p = explain({ source: "rfb", reason: "target static/lab1: authentication failed (check the VNC password the gateway has for this target)" }, ctx);
  assert.equal(p.retry, "never");
  assert.match(p.next, /operator/);
});

test("HTTP 401 asks for a fresh link and names the command", () => {
  const p = explain({ source: "http", status: 401, message: "invalid token: it has expired; mint a new one" }, ctx);
  assert.equal(p.retry, "never");
  assert.match(p.next, /vncgate open static\/lab1/);
});

test("HTTP 403 and 404 stop, 502 and 504 retry, the network retries", () => {
  assert.equal(explain({ source: "http", status: 403, message: "x" }, ctx).retry, "never");
  assert.equal(explain({ source: "http", status: 404, message: "x" }, ctx).retry, "never");
  assert.equal(explain({ source: "http", status: 502, message: "x" }, ctx).retry, "backoff");
  assert.equal(explain({ source: "http", status: 504, message: "x" }, ctx).retry, "backoff");
  assert.equal(explain({ source: "network", message: "Failed to fetch" }, ctx).retry, "backoff");
});

test("close codes: a lost connection retries, an idle close and an ended session wait for the user", () => {
  assert.equal(explain({ source: "close", code: 1006, reason: "", wasConnected: true }, ctx).retry, "backoff");
  assert.equal(explain({ source: "close", code: 1000, reason: "the VNC server closed the connection", wasConnected: true }, ctx).retry, "backoff");
  assert.equal(explain({ source: "close", code: 4002, reason: "idle for 30 min (server.idle-timeout); reconnect to continue", wasConnected: true }, ctx).retry, "never");
  assert.equal(explain({ source: "close", code: 1008, reason: "something the page does not know", wasConnected: true }, ctx).retry, "never");
  assert.equal(explain({ source: "ended", reason: "session ended by operator admin" }, ctx).retry, "never");
  assert.match(explain({ source: "ended", reason: "disconnected by operator admin" }, ctx).title, /operator disconnected you/);
  assert.equal(explain({ source: "ended", reason: "the VNC server closed the connection" }, ctx).retry, "backoff");
  assert.equal(explain({ source: "close", code: 1008, reason: "session ended by operator admin", wasConnected: true }, ctx).retry, "never");
});

test("the idle close code alone (its reason cut or missing) waits for the user", () => {
  const p = explain({ source: "close", code: 4002, reason: "", wasConnected: true }, ctx);
  assert.equal(p.retry, "never");
  assert.match(p.title, /idle/);
});

test("a WebSocket that never opened hints at allowed-origins", () => {
  const p = explain({ source: "close", code: 1006, reason: "", wasConnected: false }, ctx);
  assert.match(p.next, /allowed-origins/);
  assert.equal(p.retry, "backoff");
});

test("a gateway that drains says it restarts, and the page retries with backoff", () => {
  for (const failure of [
    { source: "close", code: 1001, reason: "the gateway is restarting", wasConnected: true },
    { source: "rfb", reason: "the gateway is restarting: try again in a moment" },
    { source: "http", status: 503, message: "the gateway is restarting: try again in a moment" },
  ]) {
    const p = explain(failure, ctx);
    assert.equal(p.title, "The gateway is restarting", JSON.stringify(failure));
    assert.equal(p.retry, "backoff");
    assert.match(p.next, /reconnects by itself/);
  }
});
