import assert from "node:assert/strict";
import { test } from "node:test";
import { setLanguage } from "../src/app/i18n.js";
import {
  CHECKS_KEY, CHECK_KEEP_MS, CHECK_TTL_MS, RECENT_MAX, ageSeconds, checkText, isFresh, inUse, matches, parseFilter, presence, presenceText, readRecent, readChecks, recentFirst, recentKey, rememberRecent, runBounded, writeCheck,
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

test("a desktop whose login fails is not reachable: its words by outcome or auth, the gateway's in the tooltip", () => {
  setLanguage("en");
  const failed = { ok: false, millis: 9, outcome: "auth-failed", reason: "the VNC server rejected the password",
    error: "target static/lab1 rejected the VNC password the gateway holds for it", auth: "target static/lab1 rejected the VNC password the gateway holds for it",
    final: true, ageSeconds: 2, cacheSeconds: 10 };
  assert.deepEqual(checkText(failed, 2),
    { state: "down", text: "Login fails", title: "target static/lab1 rejected the VNC password the gateway holds for it\nchecked 2 s ago" });
  for (const outcome of ["password-required", "held", "too-many-attempts", "password"]) {
    assert.equal(checkText({ ok: false, outcome, error: "words of " + outcome }).text, "Login fails", outcome);
    assert.equal(checkText({ ok: false, outcome, error: "words of " + outcome }).title, "words of " + outcome, outcome);
  }
  // whatever the outcome, a login the target refused is a failing login (auth holds the words)
  assert.deepEqual(checkText({ ok: true, banner: "RFB 003.008", millis: 4, auth: "the password file cannot be read" }),
    { state: "down", text: "Login fails", title: "the password file cannot be read" });
  assert.equal(checkText({ ok: false, outcome: "queued", error: "waited 5 s for a turn" }).text, "Busy");
  assert.equal(checkText({ ok: false, outcome: "address-blocked" }).text, "Busy");
  assert.equal(checkText({ ok: false, outcome: "server-refused", error: "the target refused the connection" }).text, "Refuses connections");
  setLanguage("de");
  assert.equal(checkText(failed).text, "Anmeldung scheitert");
  assert.equal(checkText({ ok: false, outcome: "queued" }).text, "Ausgelastet");
  setLanguage("en");
});

test("a reachable desktop: its size and how old the answer is in the tooltip, or the live session that answered", () => {
  setLanguage("en");
  const ok = { ok: true, millis: 12, banner: "RFB 003.008", version: "3.8",
    desktop: { name: "lab1:1 (alice)", width: 1920, height: 1080 }, auth: "ok", ageSeconds: 0, cacheSeconds: 10 };
  assert.deepEqual(checkText(ok, 8), { state: "ok", text: "Reachable",
    title: "Its VNC server answered (RFB 003.008) in 12 ms\nDesktop “lab1:1 (alice)”, 1920×1080\nchecked 8 s ago" });
  assert.equal(checkText(ok, 0).title.split("\n")[2], "checked just now");
  const shared = { ok: true, millis: 0, desktop: { name: "vm1", width: 1280, height: 800 }, session: true, auth: "ok", ageSeconds: 3, cacheSeconds: 10 };
  assert.deepEqual(checkText(shared, 3), { state: "ok", text: "Reachable",
    title: "A live shared session of it answers\nDesktop “vm1”, 1280×800\nchecked 3 s ago" });
  setLanguage("de");
  assert.equal(checkText(ok, 8).title, "Sein VNC-Server hat in 12 ms geantwortet (RFB 003.008)\nDesktop „lab1:1 (alice)“, 1920×1080\nvor 8 s geprüft");
  setLanguage("en");
  // the age: the gateway's when it answered, plus the time the page has kept it
  assert.equal(ageSeconds({ at: 1_000, result: { ageSeconds: 3 } }, 9_500), 11);
  assert.equal(ageSeconds({ at: 1_000, result: { inUse: true } }, 1_000), 0);
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

test("check answers are fresh as long as the gateway reuses them, kept longer to show, and a desktop in use needs none", () => {
  const s = new MemoryStorage();
  writeCheck(s, "static/lab1", { ok: true, banner: "RFB 003.008", millis: 3, cacheSeconds: 30 }, 1_000);
  writeCheck(s, "static/down", { ok: false, outcome: "unreachable", cacheSeconds: 0 }, 2_000);
  writeCheck(s, "static/old", { ok: true, banner: "RFB 003.008", millis: 3 }, 2_000);
  const kept = readChecks(s, 2_000);
  assert.deepEqual(Object.keys(kept).sort(), ["static/down", "static/lab1", "static/old"]);
  assert.equal(isFresh(kept["static/lab1"], 30_999), true, "the gateway's cacheSeconds");
  assert.equal(isFresh(kept["static/lab1"], 31_000), false);
  assert.equal(isFresh(kept["static/down"], 2_000), false, "cacheSeconds 0: every look checks");
  assert.equal(isFresh(kept["static/old"], 2_000 + CHECK_TTL_MS - 1), true, "no cacheSeconds: the page's own");
  assert.equal(isFresh(kept["static/old"], 2_000 + CHECK_TTL_MS), false);
  assert.equal(isFresh(undefined, 0), false);
  assert.deepEqual(Object.keys(readChecks(s, 1_000 + CHECK_KEEP_MS)).sort(), ["static/down", "static/old"], "an old answer is dropped");
  assert.deepEqual(readChecks(s, 2_000 + CHECK_KEEP_MS), {});
  s.setItem(CHECKS_KEY, "{broken");
  assert.deepEqual(readChecks(s, 0), {});
  const roster = [{ target: "static/lab1", viewers: [{ state: "relaying" }] }, { target: "static/win", viewers: [{ state: "connecting" }] }];
  assert.equal(inUse(roster, "static/lab1"), true);
  assert.equal(inUse(roster, "static/win"), false, "a viewer still connecting proves nothing");
  assert.equal(inUse(roster, "static/bare"), false);
  setLanguage("en");
  assert.deepEqual(checkText({ inUse: true }), { state: "ok", text: "Reachable", title: "Reachable: a viewer is connected to it now" });
  assert.equal(checkText({ inUse: true }, 4).title, "Reachable: a viewer is connected to it now\nchecked 4 s ago");
});
