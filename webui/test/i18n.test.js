import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { CATALOGUES, LANGUAGE_NAMES, language, pickLanguage, setLanguage, t } from "../src/app/i18n.js";

const APP = new URL("../src/app/", import.meta.url);
const en = CATALOGUES.en;
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every language has every key, the same placeholders, and nothing English lacks", () => {
  assert.ok(Object.keys(CATALOGUES).length >= 2, "English and at least one other language");
  for (const [code, words] of Object.entries(CATALOGUES)) {
    assert.ok(LANGUAGE_NAMES[code], "a name for the switch: " + code);
    for (const key of Object.keys(en)) {
      assert.equal(typeof words[key], "string", `${code} lacks ${key}`);
      assert.ok(words[key].trim(), `${code}: ${key} is empty`);
      assert.deepEqual(placeholders(words[key]), placeholders(en[key]), `${code}: ${key} has other placeholders than English`);
    }
    for (const key of Object.keys(words)) assert.ok(key in en, `${code} has ${key}, which English lacks`);
  }
});

test("t fills placeholders, falls back to English, and names an unknown key", () => {
  setLanguage("de");
  assert.equal(language(), "de");
  assert.equal(t("list.watching", { n: 1 }), "1 schauen zu");
  assert.equal(t("list.controls", { user: "alice" }), "alice steuert");
  setLanguage("en");
  assert.equal(t("list.watching", { n: 1 }), "1 watching");
  assert.equal(t("wait.position", { position: 2, length: 5 }), "Position 2 of 5 in line.");
  assert.equal(t("no.such.key"), "no.such.key");
  setLanguage("xx");
  assert.equal(language(), "en");
});

test("the page's language: the stored choice, else the browser's first known language, else English", () => {
  assert.equal(pickLanguage(null, ["de-DE", "en-US"]), "de");
  assert.equal(pickLanguage(null, ["fr-FR", "de"]), "de");
  assert.equal(pickLanguage(null, ["fr-FR"]), "en");
  assert.equal(pickLanguage("en", ["de-DE"]), "en");
  assert.equal(pickLanguage("xx", ["de-DE"]), "de");
  assert.equal(pickLanguage(null, []), "en");
});

// ----- no page words outside the catalogue -----

const sources = readdirSync(APP).filter((f) => f.endsWith(".js") && f !== "i18n.js");
const WORDS = /[A-Za-zÄÖÜäöüß]{2,}/;
/** Words for people, not identifiers: two words, or a capitalised word ("Connected", not "idle" or "accent"). */
const isPageText = (s) => /[A-Za-zÄÖÜäöüß]{2,}\s+[A-Za-zÄÖÜäöüß]/.test(s) || /^[A-ZÄÖÜ][a-zäöüß]+/.test(s.trim());

/** Quoted literals with words in text put on the page: DOM text and tooltips, toasts, notices, links, status. */
function pageWordsIn(file, text) {
  const found = [];
  const sinks = [
    /\.(?:textContent|innerText|title|placeholder)\s*=\s*([^;]*);/g,
    /\b(?:toast|notice|link|showSignin|setStatus|openPasteDialog|result|SignInError)\(([^;{]*)\);/g,
    /setAttribute\("(?:aria-label|title|placeholder)",([^;]*)\);/g,
  ];
  for (const sink of sinks) {
    for (const m of text.matchAll(sink)) {
      const withoutKeys = m[1].replace(/\bt\(\s*("[^"]*"|[^,)]*)/g, "t(KEY")
        .replace(/\.(?:startsWith|endsWith|includes)\("[^"]*"\)/g, ".test()"); // the gateway's words matched, not shown
      for (const lit of withoutKeys.matchAll(/"((?:[^"\\]|\\.)*)"|`([^`]*)`/g)) {
        const s = lit[1] ?? lit[2];
        if (isPageText(s)) found.push(`${file}: "${s}" in ${m[0].slice(0, 80)}`);
      }
    }
  }
  return found;
}

test("no page words in the app's modules outside the catalogue", () => {
  const found = sources.flatMap((f) => pageWordsIn(f, readFileSync(new URL(f, APP), "utf8")));
  assert.deepEqual(found, []);
});

test("the lint finds words put on the page directly", () => {
  assert.equal(pageWordsIn("x.js", 'el.textContent = "Connected";').length, 1);
  assert.equal(pageWordsIn("x.js", 'toast("Copied " + n + " characters");').length, 1);
  assert.equal(pageWordsIn("x.js", 'el.title = t("tool.copy.title");').length, 0);
  assert.equal(pageWordsIn("x.js", 'chip.textContent = k + "=" + v;').length, 0);
});

test("every key the code and index.html use is in the catalogue", () => {
  const used = new Set();
  for (const f of sources) {
    for (const m of readFileSync(new URL(f, APP), "utf8").matchAll(/\bt\(\s*"([^"]+)"\s*[,)]/g)) used.add(m[1]);
  }
  const html = readFileSync(new URL("../index.html", APP), "utf8");
  for (const m of html.matchAll(/data-i18n(?:-title|-placeholder|-aria-label)?="([^"]+)"/g)) used.add(m[1]);
  const missing = [...used].filter((k) => !(k in en));
  assert.deepEqual(missing, []);
  assert.ok(used.size > 60, "the scan found the keys: " + used.size);
});

test("index.html: every text and tooltip with words is marked for the catalogue", () => {
  const html = readFileSync(new URL("../index.html", APP), "utf8");
  const body = html.slice(html.indexOf("<body"));
  const problems = [];
  // text between tags: the opening tag before it must carry data-i18n (commands in <code> and the brand stay)
  for (const m of body.matchAll(/<([a-z0-9]+)([^>]*)>([^<]*)/g)) {
    const [, tag, attrs, text] = m;
    if (!WORDS.test(text) || tag === "code") continue;
    if (/data-i18n="/.test(attrs)) continue;
    if (/id="home"/.test(attrs) && text.trim() === "vncgate") continue;
    if (/id="cad"/.test(attrs) && text.trim() === "Ctrl-Alt-Del") continue;
    problems.push(`<${tag}${attrs}>${text.trim()}`);
  }
  for (const m of body.matchAll(/\s(title|placeholder|aria-label)="([^"]*)"/g)) {
    if (WORDS.test(m[2])) problems.push(`${m[1]}="${m[2]}"`);
  }
  assert.deepEqual(problems, []);
});
