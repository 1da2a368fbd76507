import assert from "node:assert/strict";
import { test } from "node:test";
import { fragmentFor, jwtClaims, parseFragment, secondsLeft } from "../src/app/fragment.js";

test("parses token, target and role from the fragment", () => {
  assert.deepEqual(parseFragment("#token=a.b.c&target=static%2Flab1&role=view"),
    { token: "a.b.c", target: "static/lab1", role: "view" });
  assert.deepEqual(parseFragment("#target=static/lab1"), { token: null, target: "static/lab1", role: null });
  assert.deepEqual(parseFragment(""), { token: null, target: null, role: null });
  assert.equal(parseFragment("#role=admin").role, null);
});

test("the rewritten fragment never holds the token", () => {
  assert.equal(fragmentFor("static/lab1", "view"), "#target=static%2Flab1&role=view");
  assert.equal(fragmentFor("static/lab1", "control"), "#target=static%2Flab1");
  assert.equal(fragmentFor(null, null), "");
});

test("reads a JWT's claims without verifying, and tolerates garbage", () => {
  const payload = Buffer.from(JSON.stringify({ sub: "zoë", exp: 2000, vncgate: { role: "view" } })).toString("base64url");
  const claims = jwtClaims("e30." + payload + ".sig");
  assert.equal(claims.sub, "zoë");
  assert.equal(claims.vncgate.role, "view");
  assert.equal(secondsLeft(claims, 1990 * 1000), 10);
  assert.deepEqual(jwtClaims("not a token"), {});
  assert.equal(secondsLeft({}, 0), null);
});
