import assert from "node:assert/strict";
import { test } from "node:test";
import { explain, FINAL_CLOSE_CODE, FINAL_NOTE } from "../src/app/errors.js";

const ctx = { target: "static/lab1" };
const final = (reason) => reason + " " + FINAL_NOTE;

test("a target that needs a password the gateway lacks is not retried and says where to set it", () => {
  const reason = final("target static/lab1 requires a VNC password but none is configured: set providers.static.targets[lab1].password-file");
  const p = explain({ source: "rfb", reason }, ctx);
  assert.equal(p.retry, "never");
  assert.match(p.title, /needs a VNC password/);
  assert.equal(p.detail, reason);
  assert.match(p.next, /operator/);
  assert.match(p.next, /does not retry/);
});

test("every reason the gateway marks final stops, whatever its words", () => {
  for (const reason of [
    "target static/lab1: Authentication failure (check the VNC password the gateway has for this target: set providers.static.targets[lab1].password-file)",
    "target static/lab1: Too many security failures (the VNC server is blocking the gateway after failed logins; fix the stored password, then wait)",
    "target static/lab1: the server offers no security type vncgate supports: 19 (VeNCrypt)",
    "target static/lab1: the gateway cannot read the stored VNC password for it; the operator's log says why",
    "target static/web sent no RFB banner within 5 s: is it a VNC server?",
    "target static/lab1 unavailable: something new the page has never seen",
  ]) {
    assert.equal(explain({ source: "rfb", reason: final(reason) }, ctx).retry, "never", reason);
    assert.equal(explain({ source: "close", code: 1008, reason: final(reason), wasConnected: false }, ctx).retry, "never", reason);
  }
});

test("the final close code stops even when the reason was cut before the note", () => {
  const p = explain({ source: "close", code: FINAL_CLOSE_CODE, reason: "target static/lab1 requires a VNC password but none is config", wasConnected: false }, ctx);
  assert.equal(p.retry, "never");
  assert.match(p.title, /needs a VNC password/);
  assert.equal(explain({ source: "close", code: FINAL_CLOSE_CODE, reason: "", wasConnected: false }, ctx).retry, "never");
});

test("the same words without the note keep their old meaning (an unreachable target retries)", () => {
  assert.equal(explain({ source: "rfb", reason: "target static/lab1 unreachable: connection refused" }, ctx).retry, "backoff");
  assert.equal(explain({ source: "close", code: 1011, reason: "target static/lab1 unreachable: connection refused", wasConnected: false }, ctx).retry, "backoff");
});
