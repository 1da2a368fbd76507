import assert from "node:assert/strict";
import { test } from "node:test";
import { controllerOf } from "../src/app/api.js";

test("the controller from the roster's possible shapes", () => {
  const viewers = [{ id: "v1", user: "alice", role: "control" }, { id: "v2", user: "bob", role: "view" }];
  assert.deepEqual(controllerOf({ controller: { viewer: "v1", user: "alice" } }), { viewer: "v1", user: "alice" });
  assert.deepEqual(controllerOf({ controller: "v1", viewers }), { viewer: "v1", user: "alice" });
  assert.deepEqual(controllerOf({ viewers }), { viewer: "v1", user: "alice" });
  assert.equal(controllerOf({ controller: null, viewers }), null);
  assert.equal(controllerOf(null), null);
});
