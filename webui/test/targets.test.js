import assert from "node:assert/strict";
import { test } from "node:test";
import { setLanguage } from "../src/app/i18n.js";
import {
  CHECKS_KEY, CHECK_TTL_MS, RECENT_MAX, checkText, inUse, matches, parseFilter, presence, presenceText, readRecent, readChecks, recentFirst, recentKey, rememberRecent, runBounded, writeCheck,
} from "../src/app/targets.js";

const LAB = { id: "static/lab1", name: "Lab one", labels: { os: "linux", site: "Berlin" } };
const WIN = { id: "static/win", name: "static/win", labels: { os: "windows" } };
const BARE = { id: "static/bare" };

test("the filter: key=value chips must all be labels, free words must all be somewhere", () => {
  assert.deepEqual(parseFilter("  OS=Linux  lab "), { labels: [["os", "linux"]], words: ["lab"] });
  const f = (text) => [LAB, WIN, BARE].filter((x) => matches(x, parseFilter(text))).map((x) => x.id);
  assert.deepEqual(f(""), ["static/lab1", "static/win", "static/bare"]);
  assert.deepEqual(f("os=linux"), ["static/lab1"]);
  assert.deepEqual(f("os=windows"), ["static/win"]);
  assert.deepEqual(f("os="), ["static/lab1", "static/win"], "key= : any value of that label");
  assert.deepEqual(f("os=linux site=berlin"), ["static/lab1"]);
  assert.deepEqual(f("os=linux site=paris"), []);
  assert.deepEqual(f("one"), ["static/lab1"], "the name");
  assert.deepEqual(f("bare"), ["static/bare"], "the id");
  assert.deepEqual(f("berlin"), ["static/lab1"], "a label's value as a word");
  assert.deepEqual(f("static lab"), ["static/lab1"]);
});

class MemoryStorage {
  constructor() { this.m = new Map(); }
  getItem(k) { return this.m.has(k) ? this.m.get(k) : null; }
  setItem(k, v) { this.m.set(k, String(v)); }
}

test("recent desktops: per user, most recent first, bounded, never anything but ids", () => {
  const s = new MemoryStorage();
  rememberRecent(s, "alice", "static/win");
  rememberRecent(s, "alice", "static/bare");
  rememberRecent(s, "alice", "static/win");
  rememberRecent(s, "bob", "static/lab1");
  assert.deepEqual(readRecent(s, "alice"), ["static/win", "static/bare"]);
  assert.deepEqual(readRecent(s, "bob"), ["static/lab1"]);
  assert.deepEqual([...s.m.keys()].sort(), [recentKey("alice"), recentKey("bob")]);
  assert.deepEqual(recentFirst([LAB, WIN, BARE], readRecent(s, "alice")).map((x) => x.id), ["static/win", "static/bare", "static/lab1"]);
  assert.deepEqual(recentFirst([LAB, WIN, BARE], []).map((x) => x.id), ["static/lab1", "static/win", "static/bare"]);
  for (let i = 0; i < RECENT_MAX + 3; i++) rememberRecent(s, "carol", "t/" + i);
  assert.equal(readRecent(s, "carol").length, RECENT_MAX);
  s.setItem(recentKey("dave"), "not json");
  assert.deepEqual(readRecent(s, "dave"), []);
});

const ROSTER = [
  { id: "s1", target: "static/lab1", controller: { viewer: "v1", user: "alice" },
    viewers: [{ id: "v1", user: "alice", role: "control" }, { id: "v2", user: "bob", role: "view" }] },
  { id: "s2", target: "static/win", controller: null, viewers: [{ id: "v3", user: "carol", role: "view" }] },
];

test("presence from the sessions roster, in words", () => {
  setLanguage("en");
  assert.deepEqual(presence(ROSTER, "static/lab1"), { watching: 1, controller: "alice", viewers: 2 });
  assert.equal(presenceText(presence(ROSTER, "static/lab1")), "1 watching · alice controls");
  assert.equal(presenceText(presence(ROSTER, "static/win")), "1 watching · nobody controls");
  assert.equal(presenceText(presence(ROSTER, "static/bare")), "nobody connected");
  setLanguage("de");
  assert.equal(presenceText(presence(ROSTER, "static/lab1")), "1 schauen zu · alice steuert");
  setLanguage("en");
});

test("a check's answer: the page's words by outcome, the gateway's words in the tooltip", () => {
  setLanguage("en");
  assert.deepEqual(checkText({ ok: true, banner: "RFB 003.008", millis: 4 }),
    { state: "ok", text: "Reachable", title: "Its VNC server answered (RFB 003.008) in 4 ms" });
  const down = checkText({ ok: false, outcome: "unreachable", reason: "the target is unreachable",
    error: "target static/down unreachable: connection refused" });
  assert.deepEqual(down, { state: "down", text: "Unreachable", title: "target static/down unreachable: connection refused" });
  assert.equal(checkText({ ok: false, outcome: "timeout" }).text, "Does not answer");
  assert.equal(checkText({ ok: false, outcome: "something-new" }).text, "Unreachable");
  assert.equal(checkText(null).state, "checking");
  assert.deepEqual(checkText({ failed: "HTTP 503" }), { state: "unknown", text: "Not checked", title: "HTTP 503" });
});

test("checks run at most `limit` at a time and all of them run", async () => {
  let running = 0;
  let most = 0;
  const done = [];
  await runBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++;
    most = Math.max(most, running);
    try {
      await new Promise((r) => setTimeout(r, 5));
      if (n === 4) throw new Error("one failing does not stop the rest");
      done.push(n);
    } finally {
      running--;
    }
  });
  assert.equal(most, 3);
  assert.deepEqual(done.sort(), [1, 2, 3, 5, 6, 7]);
});

test("check answers are kept a while across pages, and a desktop in use needs none", () => {
  const s = new MemoryStorage();
  writeCheck(s, "static/lab1", { ok: true, banner: "RFB 003.008", millis: 3 }, 1_000);
  writeCheck(s, "static/down", { ok: false, outcome: "unreachable" }, 2_000);
  assert.deepEqual(Object.keys(readChecks(s, 2_000)).sort(), ["static/down", "static/lab1"]);
  assert.deepEqual(Object.keys(readChecks(s, 1_000 + CHECK_TTL_MS)), ["static/down"], "an old answer is dropped");
  assert.deepEqual(readChecks(s, 2_000 + CHECK_TTL_MS), {});
  s.setItem(CHECKS_KEY, "{broken");
  assert.deepEqual(readChecks(s, 0), {});
  const roster = [{ target: "static/lab1", viewers: [{ state: "relaying" }] }, { target: "static/win", viewers: [{ state: "connecting" }] }];
  assert.equal(inUse(roster, "static/lab1"), true);
  assert.equal(inUse(roster, "static/win"), false, "a viewer still connecting proves nothing");
  assert.equal(inUse(roster, "static/bare"), false);
  setLanguage("en");
  assert.deepEqual(checkText({ inUse: true }), { state: "ok", text: "Reachable", title: "Reachable: a viewer is connected to it now" });
});
