// The list of desktops: each target with its live state (whether its VNC server answers, from
// GET /api/v1/targets/{id}/check; how many watch and who controls, from GET /api/v1/sessions),
// a filter by label (key=value) and free text, and the desktops this user opened last first.
// The pure parts (filter, order, presence, check words, bounded checks) are exported for the node tests.
import { ApiError } from "./api.js";
import { fragmentFor } from "./fragment.js";
import { t } from "./i18n.js";

export const RECENT_PREFIX = "vncgate.recent.";
export const RECENT_MAX = 8;
/**
 * A check's answer counts as fresh (no new check when the list opens or the filter changes) for as
 * long as the gateway reuses it (the answer's `cacheSeconds`, `limits.target-check.cache`); an
 * answer without one (a desktop in use, a check that failed) for this long. The gateway caches,
 * single-flights and logs in on every check, so the page need not ration them.
 */
export const CHECK_TTL_MS = 10_000;
/** An answer is still shown (with its age) this long, while a newer one is on its way. */
export const CHECK_KEEP_MS = 10 * 60_000;
export const CHECKS_KEY = "vncgate.checks";
/** At most this many checks run at once. */
export const CHECK_CONCURRENCY = 3;
/** How often the list asks for the roster while it is shown and the tab visible. */
export const ROSTER_POLL_MS = 3_000;

// ----- filter -----

/** "os=linux lab" → {labels: [["os", "linux"]], words: ["lab"]} (lower case). */
export function parseFilter(text) {
  const labels = [];
  const words = [];
  for (const part of String(text || "").trim().toLowerCase().split(/\s+/)) {
    if (!part) continue;
    const eq = part.indexOf("=");
    if (eq > 0) labels.push([part.slice(0, eq), part.slice(eq + 1)]);
    else words.push(part);
  }
  return { labels, words };
}

/** Every key=value must be a label of the target; every word must be in its id, name or a label. */
export function matches(target, filter) {
  const labels = Object.entries(target.labels || {}).map(([k, v]) => [k.toLowerCase(), String(v).toLowerCase()]);
  for (const [k, v] of filter.labels) {
    if (!labels.some(([lk, lv]) => lk === k && (v === "" || lv === v))) return false;
  }
  const hay = [target.id, target.name || "", ...labels.map(([k, v]) => k + "=" + v)].join(" ").toLowerCase();
  return filter.words.every((w) => hay.includes(w));
}

// ----- recent desktops -----

/** The storage key of a user's recent desktops (by the token's sub; the token itself is never stored). */
export function recentKey(sub) {
  return RECENT_PREFIX + (sub || "-");
}

export function readRecent(storage, sub) {
  try {
    const list = JSON.parse(storage.getItem(recentKey(sub)) || "[]");
    return Array.isArray(list) ? list.filter((x) => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Puts target first in the user's recent list (at most RECENT_MAX). */
export function rememberRecent(storage, sub, target) {
  const list = [target, ...readRecent(storage, sub).filter((x) => x !== target)].slice(0, RECENT_MAX);
  try {
    storage.setItem(recentKey(sub), JSON.stringify(list));
  } catch {
    // storage full or refused: the order is a convenience
  }
  return list;
}

/** The recent ones first (most recent first), then the rest in the gateway's order. */
export function recentFirst(targets, recent) {
  const rank = new Map(recent.map((id, i) => [id, i]));
  return targets
    .map((tg, i) => ({ tg, i }))
    .sort((a, b) => (rank.get(a.tg.id) ?? recent.length + a.i) - (rank.get(b.tg.id) ?? recent.length + b.i))
    .map((x) => x.tg);
}

// ----- presence from the roster -----

/** {watching, controller, viewers} of a target from GET /api/v1/sessions' sessions. */
export function presence(sessions, targetId) {
  let watching = 0;
  let viewers = 0;
  let controller = null;
  for (const s of sessions) {
    if (s.target !== targetId) continue;
    for (const v of s.viewers || []) {
      viewers++;
      if (v.role === "view") watching++;
    }
    if (s.controller && s.controller.user) controller = s.controller.user;
  }
  return { watching, controller, viewers };
}

/** "1 watching · alice controls", "nobody connected", … in the page's language. */
export function presenceText(p) {
  if (p.viewers === 0) return t("list.idle");
  return t("list.watching", { n: p.watching }) + " · "
    + (p.controller ? t("list.controls", { user: p.controller }) : t("list.nobodyControls"));
}

// ----- reachability -----

const OUTCOME_WORDS = {
  unreachable: "list.unreachable",
  timeout: "list.timeout",
  closed: "list.unreachable",
  "no-banner": "list.timeout",
  "not-rfb": "list.notVnc",
  repeater: "list.notVnc",
  "unsupported-version": "list.notVnc",
  misconfigured: "list.misconfigured",
  "not-ready": "list.notReady",
  "no-common-security": "list.misconfigured",
  queued: "list.busy",
  "server-refused": "list.refused",
  "address-blocked": "list.busy",
  "auth-failed": "list.loginFails",
  "password-required": "list.loginFails",
  "too-many-attempts": "list.loginFails",
  password: "list.loginFails",
  held: "list.loginFails",
};

/** How old an answer is: the gateway's age when it answered plus the time it has been stored here. */
export function ageSeconds(entry, nowMs) {
  const atGateway = Number(entry.result && entry.result.ageSeconds) || 0;
  return atGateway + Math.max(0, Math.floor((nowMs - entry.at) / 1000));
}

function checkedWords(age) {
  return age == null ? "" : age < 1 ? t("list.checkedNow") : t("list.checkedAgo", { seconds: age });
}

function lines(...parts) {
  return parts.filter(Boolean).join("\n");
}

/**
 * The check's answer as {state, text, title}: the page's words for the outcome (a desktop whose
 * login fails is not "Reachable"), the gateway's words, the desktop's size and the answer's age
 * (seconds, or null when unknown) in the title.
 */
export function checkText(result, age = null) {
  if (!result) return { state: "checking", text: t("list.checking"), title: "" };
  const when = checkedWords(age);
  if (result.inUse) return { state: "ok", text: t("list.reachable"), title: lines(t("list.inUse.title"), when) };
  if (result.failed) return { state: "unknown", text: t("list.checkFailed"), title: result.failed };
  const authWords = typeof result.auth === "string" && result.auth !== "ok" ? result.auth : null;
  if (result.ok && !authWords) {
    const desk = result.desktop;
    return {
      state: "ok",
      text: t("list.reachable"),
      title: lines(
        result.session ? t("list.reachable.session.title")
          : t("list.reachable.title", { banner: result.banner || "RFB", millis: result.millis ?? "?" }),
        desk && desk.width && desk.height
          ? t("list.desktop.title", { name: desk.name || "", width: desk.width, height: desk.height }) : "",
        when),
    };
  }
  if (authWords || OUTCOME_WORDS[result.outcome] === "list.loginFails") {
    return { state: "down", text: t("list.loginFails"), title: lines(result.error || authWords || result.reason || result.outcome, when) };
  }
  return {
    state: "down",
    text: t(OUTCOME_WORDS[result.outcome] || "list.unreachable"),
    title: lines(result.error || result.reason || result.outcome || "", when),
  };
}

/** Runs fn over items with at most limit at a time; resolves when all are done. */
export async function runBounded(items, limit, fn) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length) {
      const item = queue.shift();
      try {
        await fn(item);
      } catch {
        // each item handles its own failure
      }
    }
  });
  await Promise.all(workers);
}

/** A relaying viewer means the desktop answers: no check needed (and none made). */
export function inUse(sessions, targetId) {
  return sessions.some((s) => s.target === targetId && (s.viewers || []).some((v) => v.state === "relaying"));
}

/** Check answers by target id ({at, result}) kept in storage (for CHECK_KEEP_MS), fresh or not. */
export function readChecks(storage, nowMs) {
  let all = {};
  try {
    all = JSON.parse(storage.getItem(CHECKS_KEY) || "{}") || {};
  } catch {
    all = {};
  }
  const kept = {};
  for (const [id, c] of Object.entries(all)) {
    if (c && typeof c.at === "number" && nowMs - c.at < CHECK_KEEP_MS && c.result) kept[id] = c;
  }
  return kept;
}

/** Whether a kept answer still holds: for the gateway's cacheSeconds, else CHECK_TTL_MS. */
export function isFresh(entry, nowMs) {
  if (!entry) return false;
  const cache = entry.result && entry.result.cacheSeconds;
  const ttl = typeof cache === "number" && cache >= 0 ? cache * 1000 : CHECK_TTL_MS;
  return nowMs - entry.at < ttl;
}

export function writeCheck(storage, id, result, nowMs) {
  const all = readChecks(storage, nowMs);
  all[id] = { at: nowMs, result };
  try {
    storage.setItem(CHECKS_KEY, JSON.stringify(all));
  } catch {
    // storage refused: the answer holds for this page only
  }
}

/** Checks running now, by target id (one at a time per target, whatever asks). */
const pending = new Map();

// ----- the list on the page -----

/**
 * The list view. els: {list, message, filter, checkAll}; api: an Api; user: the token's sub;
 * tokenRole: "control" or "view"; onRefused(message): the gateway refused the token.
 */
export class TargetList {
  constructor({ api, user, tokenRole, els, storage, onRefused }) {
    this.api = api;
    this.user = user;
    this.tokenRole = tokenRole;
    this.els = els;
    this.storage = storage;
    this.onRefused = onRefused;
    this.targets = null;
    this.sessions = [];
    this.rosterTimer = null;
    this.rosterAvailable = true;
    this.stopped = false;
    this.rows = new Map(); // target id → {li, state, presence}
  }

  async start() {
    const { list, message } = this.els;
    list.replaceChildren();
    message.textContent = t("list.loading");
    try {
      this.targets = await this.api.targets();
    } catch (e) {
      if (this.stopped) return;
      if (e instanceof ApiError && e.status === 401) {
        this.onRefused(e.message);
        return;
      }
      this.onFailure(e);
      return;
    }
    if (this.stopped) return;
    this.render();
    await this.refreshRoster(); // first: a desktop in use needs no check
    if (this.stopped) return;
    this.checkVisible(false);
    this.rosterTimer = setTimeout(() => this.pollRoster(), ROSTER_POLL_MS);
  }

  /** For the caller: how a failure of the target list reads (errors.js's explanation). */
  onFailure(e) {
    this.els.message.textContent = String(e && e.message ? e.message : e);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.rosterTimer);
  }

  visibleTargets() {
    const filter = parseFilter(this.els.filter.value);
    return recentFirst(this.targets || [], readRecent(this.storage, this.user)).filter((tg) => matches(tg, filter));
  }

  /** Draws the rows (filter and order applied) from what is known now. */
  render() {
    if (!this.targets) return;
    const { list, message, filter } = this.els;
    const recent = new Set(readRecent(this.storage, this.user));
    const shown = this.visibleTargets();
    if (!this.targets.length) message.textContent = t("list.none");
    else if (!shown.length) message.textContent = t("list.noMatch", { filter: filter.value.trim() });
    else message.textContent = "";
    this.rows.clear();
    list.replaceChildren(...shown.map((tg) => this.row(tg, recent.has(tg.id))));
  }

  row(tg, isRecent) {
    const li = document.createElement("li");
    li.dataset.target = tg.id;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = tg.name || tg.id;
    if (isRecent) {
      const badge = document.createElement("span");
      badge.className = "recent-badge";
      badge.textContent = t("list.recent");
      name.append(" ", badge);
    }
    const id = document.createElement("span");
    id.className = "id";
    id.textContent = tg.id;
    const labels = document.createElement("span");
    labels.className = "labels";
    for (const [k, v] of Object.entries(tg.labels || {})) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.textContent = k + "=" + v;
      chip.title = t("list.chip.title", { label: k + "=" + v });
      chip.addEventListener("click", () => this.addFilter(k + "=" + v));
      labels.append(chip);
    }
    const live = document.createElement("span");
    live.className = "live";
    const reach = document.createElement("button");
    reach.type = "button";
    reach.className = "reach";
    reach.addEventListener("click", () => this.check(tg.id, true));
    const who = document.createElement("span");
    who.className = "presence";
    live.append(reach, who);
    const actions = document.createElement("span");
    actions.className = "actions";
    if (this.tokenRole === "control") actions.append(link(t("list.open"), fragmentFor(tg.id, null), "accent"));
    actions.append(link(t("list.watch"), fragmentFor(tg.id, "view"), ""));
    li.append(name, id, labels, live, actions);
    this.rows.set(tg.id, { li, reach, who });
    this.paintRow(tg.id);
    return li;
  }

  paintRow(id) {
    const row = this.rows.get(id);
    if (!row) return;
    const now = Date.now();
    const c = pending.has(id) ? null : readChecks(this.storage, now)[id];
    const words = checkText(c ? c.result : null, c ? ageSeconds(c, now) : null);
    row.reach.dataset.state = words.state;
    row.reach.textContent = words.text;
    row.reach.title = words.title || t("list.check.title");
    const p = presence(this.sessions, id);
    row.who.textContent = this.rosterAvailable ? presenceText(p) : "";
    row.li.dataset.watching = String(p.watching);
    row.li.dataset.controller = p.controller || "";
  }

  addFilter(term) {
    const f = this.els.filter;
    const parts = f.value.trim().split(/\s+/).filter(Boolean);
    if (!parts.includes(term)) parts.push(term);
    f.value = parts.join(" ");
    this.filterChanged();
  }

  filterChanged() {
    this.render();
    this.checkVisible(false);
  }

  /** Checks the targets shown: those without a fresh answer (force: all of them again). */
  checkVisible(force) {
    const ids = this.visibleTargets().map((tg) => tg.id);
    return runBounded(ids, CHECK_CONCURRENCY, (id) => this.check(id, force));
  }

  async check(id, force) {
    if (pending.has(id)) return pending.get(id);
    if (!force && isFresh(readChecks(this.storage, Date.now())[id], Date.now())) return undefined;
    if (!force && inUse(this.sessions, id)) {
      writeCheck(this.storage, id, { inUse: true }, Date.now());
      this.paintRow(id);
      return undefined;
    }
    const run = this.api.checkTarget(id).then((r) => r, (e) => ({ failed: e && e.message ? e.message : String(e) }))
      .then((result) => {
        pending.delete(id);
        writeCheck(this.storage, id, result, Date.now());
        if (!this.stopped) this.paintRow(id);
      });
    pending.set(id, run);
    this.paintRow(id);
    return run;
  }

  /** Asks for the roster once; a gateway without it (404) is not asked again. */
  async refreshRoster() {
    if (!this.rosterAvailable) return;
    try {
      this.sessions = await this.api.sessions();
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) this.rosterAvailable = false;
      // otherwise a passing failure: keep what was known and ask again later
    }
    if (!this.stopped) for (const id of this.rows.keys()) this.paintRow(id);
  }

  /** The roster every ROSTER_POLL_MS while the list is shown and the tab visible. */
  async pollRoster() {
    if (this.stopped || !this.rosterAvailable) return;
    if (document.visibilityState !== "hidden") await this.refreshRoster();
    if (this.stopped || !this.rosterAvailable) return;
    this.rosterTimer = setTimeout(() => this.pollRoster(), ROSTER_POLL_MS);
  }
}

function link(text, href, cls) {
  const a = document.createElement("a");
  a.className = "button " + cls;
  a.href = href;
  a.textContent = text;
  return a;
}
