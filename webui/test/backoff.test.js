import assert from "node:assert/strict";
import { test } from "node:test";
import { Backoff } from "../src/app/backoff.js";

test("doubles from 1 s up to 30 s and resets", () => {
  const b = new Backoff({ random: () => 0.5 }); // no jitter
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(() => b.next()), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  b.reset();
  assert.equal(b.next(), 1000);
});

test("jitter stays within ±20 %", () => {
  assert.equal(new Backoff({ random: () => 0 }).next(), 800);
  assert.equal(new Backoff({ random: () => 0.999999 }).next(), 1200);
});
