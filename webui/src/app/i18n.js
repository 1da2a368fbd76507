// The page's words: one catalogue per language (i18n/en.js, i18n/de.js), t(key, params) with
// {name} placeholders, and the language the page speaks: the one picked by hand (kept in
// localStorage under "vncgate.lang"), else the first of the browser's languages
// (navigator.languages) the catalogue has, else English. Words that come from the gateway
// (error messages, reasons) are shown as the gateway says them; only the page's own words are here.
//
// Adding a word: add the key to i18n/en.js and to every other language file (the node test
// test/i18n.test.js fails while a language lacks a key), then use t("the.key", {param}) in the
// code, or data-i18n="the.key" (text), data-i18n-title="the.key" (tooltip) in index.html.
import en from "./i18n/en.js";
import de from "./i18n/de.js";

/** The catalogues by language code, and each language's own name (for the switch). */
export const CATALOGUES = { en, de };
export const LANGUAGE_NAMES = { en: "English", de: "Deutsch" };
export const LANG_KEY = "vncgate.lang";

let current = "en";
const listeners = new Set();

/** The language to speak: the stored choice if the catalogue has it, else the browser's first match, else "en". */
export function pickLanguage(stored, browserLanguages) {
  if (stored && CATALOGUES[stored]) return stored;
  for (const tag of browserLanguages || []) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (CATALOGUES[base]) return base;
  }
  return "en";
}

export function language() {
  return current;
}

/** Switches the language (no reload); listeners re-render. */
export function setLanguage(code) {
  current = CATALOGUES[code] ? code : "en";
  for (const fn of listeners) fn(current);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
}

/**
 * The words for key in the current language with {name} replaced by params.name. A key the
 * language lacks falls back to English; a key English lacks is shown as the key itself (the
 * node test keeps that from happening).
 */
export function t(key, params) {
  const text = CATALOGUES[current][key] ?? en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Fills the elements of root marked data-i18n (text), data-i18n-title, data-i18n-placeholder, data-i18n-aria-label. */
export function translateDom(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
}

/** In the browser: the language from localStorage or navigator.languages; <html lang> follows it. */
export function startLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(LANG_KEY);
  } catch {
    stored = null;
  }
  setLanguage(pickLanguage(stored, navigator.languages || [navigator.language]));
  document.documentElement.lang = current;
  translateDom(document);
}

/** The manual switch: kept in localStorage, the page re-translated. */
export function chooseLanguage(code) {
  try {
    localStorage.setItem(LANG_KEY, code);
  } catch {
    // private mode: the choice holds for this page only
  }
  current = CATALOGUES[code] ? code : "en";
  document.documentElement.lang = current;
  translateDom(document); // the marked words first, then the listeners redraw what the code words
  for (const fn of listeners) fn(current);
}
