import assert from "node:assert/strict";
import { test } from "node:test";
import { queueFromEvent, waitingText } from "../src/app/waiting.js";

test("a target its provider still prepares says 'Starting your desktop…'", () => {
  const q = queueFromEvent({ type: "queue", viewer: "v1", waiting: true, preparing: true });
  assert.deepEqual(q, { preparing: true });
  const w = waitingText(q, "desktop/alice", 0);
  assert.equal(w.status, "Starting your desktop");
  assert.equal(w.title, "Starting your desktop…");
  assert.equal(w.detail, "desktop/alice is being started or prepared for you; this can take a few seconds.");
  assert.equal(w.next, "Keep this page open: it connects by itself.");
});

test("a place in line still says 'Waiting for the desktop' with the position and countdown", () => {
  const q = queueFromEvent({ type: "queue", viewer: "v1", waiting: true, position: 2, length: 5, retryInSeconds: 10 });
  assert.deepEqual(q, { preparing: false, position: 2, length: 5, retryInSeconds: 10 });
  const w = waitingText({ ...q, at: 1_000 }, "static/lab", 4_000);
  assert.equal(w.status, "Waiting for the desktop");
  assert.equal(w.title, "Waiting for the desktop static/lab…");
  assert.equal(w.detail, "The desktop is refusing connections from the gateway for a while (too many at once);"
    + " trying again in 7 s. Position 2 of 5 in line.");
  assert.equal(waitingText({ preparing: false, position: 1, length: 1, retryInSeconds: 0, at: 0 }, "static/lab", 0).detail,
    "Position 1 of 1 in line.");
});

test("the end of the wait clears it", () => {
  assert.equal(queueFromEvent({ type: "queue", viewer: "v1", waiting: false }), null);
});
