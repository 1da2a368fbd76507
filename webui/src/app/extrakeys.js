// The extra keys, the panel hotkey, the on-screen keyboard's text diff and the display settings:
// the pure parts (no DOM, no noVNC), so node's tests can run them. panel.js puts them on the page.
import { t } from "./i18n.js";

/**
 * Every user-visible string of the panel, the keyboard button and the display settings, in the
 * page's language: WORDS.esc is t("keys.esc") (the catalogue i18n/en.js, i18n/de.js).
 */
export const WORDS = new Proxy({}, { get: (_, id) => (typeof id === "string" ? t("keys." + id) : undefined) });

/** X11 keysyms (X11/keysymdef.h) of the keys the panel sends. */
export const KS = Object.freeze({
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Escape: 0xff1b,
  Print: 0xff61,
  Delete: 0xffff,
  F1: 0xffbe, // F2..F12 follow: 0xffbf..0xffc9
  Shift_L: 0xffe1,
  Shift_R: 0xffe2,
  Control_L: 0xffe3,
  Control_R: 0xffe4,
  Alt_L: 0xffe9,
  Super_L: 0xffeb,
});

/** A key: [keysym, KeyboardEvent.code]. */
export const KEY = Object.freeze({
  esc: [KS.Escape, "Escape"],
  tab: [KS.Tab, "Tab"],
  ctrl: [KS.Control_L, "ControlLeft"],
  alt: [KS.Alt_L, "AltLeft"],
  super: [KS.Super_L, "MetaLeft"],
  del: [KS.Delete, "Delete"],
  backspace: [KS.BackSpace, "Backspace"],
  printScreen: [KS.Print, "PrintScreen"],
});

/** Function key n (1..12). */
export function functionKey(n) {
  if (!Number.isInteger(n) || n < 1 || n > 12) throw new RangeError("function key " + n + " is not F1..F12");
  return [KS.F1 + n - 1, "F" + n];
}

/** The modifiers that stay down until the next key, in the order they are shown. */
export const TOGGLES = ["ctrl", "alt", "super"];

/** The keys and combinations of the panel: id -> the keys pressed together. */
export const COMBOS = Object.freeze({
  esc: [KEY.esc],
  tab: [KEY.tab],
  ctrlAltDel: [KEY.ctrl, KEY.alt, KEY.del],
  ctrlAltBackspace: [KEY.ctrl, KEY.alt, KEY.backspace],
  printScreen: [KEY.printScreen],
});

/** Ctrl-Alt-Fn. */
export function ctrlAltF(n) {
  return [KEY.ctrl, KEY.alt, functionKey(n)];
}

/** The events of keys pressed together: [keysym, code, down] presses in order, releases in reverse. */
export function comboEvents(keys) {
  return [...keys.map(([sym, code]) => [sym, code, true]), ...[...keys].reverse().map(([sym, code]) => [sym, code, false])];
}

// ----- the hotkey (Ctrl+Alt+Shift) -----

/** The modifiers the hotkey filter holds back, by KeyboardEvent.code. Right Alt (AltGr) is left alone. */
const HELD = Object.freeze({
  ControlLeft: ["ctrl", KS.Control_L],
  ControlRight: ["ctrl", KS.Control_R],
  AltLeft: ["alt", KS.Alt_L],
  ShiftLeft: ["shift", KS.Shift_L],
  ShiftRight: ["shift", KS.Shift_R],
});

/**
 * Keeps Ctrl, Alt and Shift from the desktop until it is clear they are not the panel hotkey.
 * A modifier's key-down is held back; another key (or a pointer press: flush()) sends the held
 * modifiers first; all three of Ctrl, Alt and Shift held at once is the hotkey, and then none of
 * them ever reaches the desktop (their key-ups are swallowed too). A modifier pressed and released
 * alone is sent as a press and a release. Each call answers
 * {swallow: the page must not let noVNC see the event, send: [keysym, code, down] to send now,
 * toggle: the hotkey was pressed}.
 */
export class HotkeyFilter {
  /**
   * @param windows on Windows, AltGr arrives as a made-up left Ctrl press followed by right Alt;
   *     a held left Ctrl followed by right Alt is then dropped, as noVNC's keyboard does
   */
  constructor({ windows = false } = {}) {
    this.windows = windows;
    this.held = new Map(); // code -> keysym: down, not sent
    this.sent = new Map(); // code -> keysym: down, sent by us (noVNC does not know them)
    this.swallowUp = new Set(); // codes of the hotkey's keys: their key-ups go nowhere
  }

  keyDown(code) {
    if (this.windows && code === "AltRight" && this.held.has("ControlLeft")) {
      this.held.delete("ControlLeft");
      this.swallowUp.add("ControlLeft");
    }
    const mod = HELD[code];
    if (!mod) return { swallow: false, send: this.flush(), toggle: false };
    if (this.held.has(code) || this.sent.has(code) || this.swallowUp.has(code)) {
      return { swallow: true, send: [], toggle: false }; // auto-repeat
    }
    this.held.set(code, mod[1]);
    const kinds = new Set([...this.held.keys()].map((c) => HELD[c][0]));
    if (kinds.size === 3) {
      for (const c of this.held.keys()) this.swallowUp.add(c);
      this.held.clear();
      return { swallow: true, send: [], toggle: true };
    }
    return { swallow: true, send: [], toggle: false };
  }

  keyUp(code) {
    if (this.swallowUp.delete(code)) return { swallow: true, send: [], toggle: false };
    if (this.held.has(code)) {
      const sym = this.held.get(code);
      const send = this.flush();
      this.sent.delete(code);
      send.push([sym, code, false]);
      return { swallow: true, send, toggle: false };
    }
    if (this.sent.has(code)) {
      const sym = this.sent.get(code);
      this.sent.delete(code);
      return { swallow: true, send: [[sym, code, false]], toggle: false };
    }
    return { swallow: false, send: [], toggle: false };
  }

  /** Sends the held modifiers (before another key or a pointer press). */
  flush() {
    const send = [];
    for (const [code, sym] of this.held) {
      send.push([sym, code, true]);
      this.sent.set(code, sym);
    }
    this.held.clear();
    return send;
  }

  /** The page lost the keyboard: releases what we sent, forgets the rest. */
  reset() {
    const send = [...this.sent].map(([code, sym]) => [sym, code, false]);
    this.held.clear();
    this.sent.clear();
    this.swallowUp.clear();
    return send;
  }
}

// ----- the on-screen keyboard -----

/** What the hidden text box holds between inputs, so Backspace always has something to delete. */
export const INPUT_FILLER = "_".repeat(100);

/**
 * The keys to send for a change of the hidden text box's value (the technique of noVNC's page):
 * a Backspace for each character gone after the common prefix, then each new character
 * ("backspace", "return", or a code point).
 */
export function textInputKeys(before, after) {
  const a = [...before];
  const b = [...after];
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const keys = [];
  for (let k = i; k < a.length; k++) keys.push("backspace");
  for (let k = i; k < b.length; k++) keys.push(b[k] === "\n" ? "return" : b[k].codePointAt(0));
  return keys;
}

// ----- display settings (kept in localStorage) -----

export const DISPLAY_KEYS = Object.freeze({
  resize: "vncgate.resize",
  quality: "vncgate.quality",
  compression: "vncgate.compression",
  dotCursor: "vncgate.dotCursor",
});

/** noVNC's defaults: no remote resize, quality 6, compression 2, no dot cursor. */
export const DISPLAY_DEFAULTS = Object.freeze({ resize: false, quality: 6, compression: 2, dotCursor: false });

function level(text, fallback) {
  const n = Number(text);
  return text !== null && text !== "" && Number.isInteger(n) && n >= 0 && n <= 9 ? n : fallback;
}

/** The display settings from a Storage (anything not understood: the default). */
export function loadDisplay(storage) {
  return {
    resize: storage.getItem(DISPLAY_KEYS.resize) === "true",
    quality: level(storage.getItem(DISPLAY_KEYS.quality), DISPLAY_DEFAULTS.quality),
    compression: level(storage.getItem(DISPLAY_KEYS.compression), DISPLAY_DEFAULTS.compression),
    dotCursor: storage.getItem(DISPLAY_KEYS.dotCursor) === "true",
  };
}

export function saveDisplay(storage, settings) {
  storage.setItem(DISPLAY_KEYS.resize, String(!!settings.resize));
  storage.setItem(DISPLAY_KEYS.quality, String(level(String(settings.quality), DISPLAY_DEFAULTS.quality)));
  storage.setItem(DISPLAY_KEYS.compression, String(level(String(settings.compression), DISPLAY_DEFAULTS.compression)));
  storage.setItem(DISPLAY_KEYS.dotCursor, String(!!settings.dotCursor));
}

/**
 * Puts the settings on noVNC's RFB. Remote resize only for the controller (an observer's window
 * never changes the desktop: it sees it scaled).
 */
export function applyDisplay(rfb, settings, controls) {
  rfb.qualityLevel = settings.quality;
  rfb.compressionLevel = settings.compression;
  rfb.showDotCursor = settings.dotCursor;
  rfb.resizeSession = !!(settings.resize && controls);
}
