import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyDisplay, COMBOS, comboEvents, ctrlAltF, DISPLAY_DEFAULTS, functionKey, HotkeyFilter, INPUT_FILLER, KEY, KS,
  loadDisplay, saveDisplay, textInputKeys, TOGGLES, WORDS,
} from "../src/app/extrakeys.js";

test("the keysyms are X11's (keysymdef.h)", () => {
  assert.equal(KS.Escape, 0xff1b);
  assert.equal(KS.Tab, 0xff09);
  assert.equal(KS.BackSpace, 0xff08);
  assert.equal(KS.Delete, 0xffff);
  assert.equal(KS.Print, 0xff61);
  assert.equal(KS.Control_L, 0xffe3);
  assert.equal(KS.Alt_L, 0xffe9);
  assert.equal(KS.Super_L, 0xffeb);
  assert.deepEqual(functionKey(1), [0xffbe, "F1"]);
  assert.deepEqual(functionKey(12), [0xffc9, "F12"]);
  assert.throws(() => functionKey(13), /F1..F12/);
  assert.throws(() => functionKey(0), /F1..F12/);
});

test("combinations press in order and release in reverse", () => {
  assert.deepEqual(comboEvents(COMBOS.ctrlAltDel), [
    [0xffe3, "ControlLeft", true], [0xffe9, "AltLeft", true], [0xffff, "Delete", true],
    [0xffff, "Delete", false], [0xffe9, "AltLeft", false], [0xffe3, "ControlLeft", false]]);
  assert.deepEqual(comboEvents(ctrlAltF(3)).map((e) => e[0]), [0xffe3, 0xffe9, 0xffc0, 0xffc0, 0xffe9, 0xffe3]);
  assert.deepEqual(comboEvents(COMBOS.ctrlAltBackspace)[2], [0xff08, "Backspace", true]);
  assert.deepEqual(comboEvents(COMBOS.printScreen), [[0xff61, "PrintScreen", true], [0xff61, "PrintScreen", false]]);
  assert.deepEqual(TOGGLES.map((t) => KEY[t][0]), [0xffe3, 0xffe9, 0xffeb]);
});

test("every panel control has words", () => {
  for (const id of [...Object.keys(COMBOS), ...TOGGLES, "ctrlAltF", "keysButton", "keyboardButton", "onlyController"]) {
    assert.equal(typeof WORDS[id], "string", id);
    assert.ok(WORDS[id].length > 0, id);
  }
});

test("Ctrl+Alt+Shift toggles the panel and none of the three reaches the desktop", () => {
  const f = new HotkeyFilter();
  assert.deepEqual(f.keyDown("ControlLeft"), { swallow: true, send: [], toggle: false });
  assert.deepEqual(f.keyDown("AltLeft"), { swallow: true, send: [], toggle: false });
  assert.deepEqual(f.keyDown("ShiftLeft"), { swallow: true, send: [], toggle: true });
  assert.deepEqual(f.keyUp("ShiftLeft"), { swallow: true, send: [], toggle: false });
  assert.deepEqual(f.keyUp("AltLeft"), { swallow: true, send: [], toggle: false });
  assert.deepEqual(f.keyUp("ControlLeft"), { swallow: true, send: [], toggle: false });
  // in any order, with the right-hand keys
  assert.equal(f.keyDown("ShiftRight").toggle, false);
  assert.equal(f.keyDown("ControlRight").toggle, false);
  assert.equal(f.keyDown("AltLeft").toggle, true);
});

test("a held modifier is sent before the next key, and released when it comes up", () => {
  const f = new HotkeyFilter();
  f.keyDown("ControlLeft");
  assert.deepEqual(f.keyDown("ControlLeft").send, [], "auto-repeat sends nothing");
  assert.deepEqual(f.keyDown("KeyC"), { swallow: false, send: [[KS.Control_L, "ControlLeft", true]], toggle: false });
  assert.deepEqual(f.keyUp("KeyC"), { swallow: false, send: [], toggle: false });
  assert.deepEqual(f.keyUp("ControlLeft"), { swallow: true, send: [[KS.Control_L, "ControlLeft", false]], toggle: false });
});

test("a modifier tapped alone is sent as a press and a release; a pointer press flushes", () => {
  const f = new HotkeyFilter();
  f.keyDown("ShiftLeft");
  assert.deepEqual(f.keyUp("ShiftLeft").send, [[KS.Shift_L, "ShiftLeft", true], [KS.Shift_L, "ShiftLeft", false]]);
  f.keyDown("ControlLeft");
  assert.deepEqual(f.flush(), [[KS.Control_L, "ControlLeft", true]]);
  assert.deepEqual(f.reset(), [[KS.Control_L, "ControlLeft", false]]);
  assert.deepEqual(f.keyUp("ControlLeft"), { swallow: false, send: [], toggle: false });
  assert.deepEqual(f.keyDown("AltRight"), { swallow: false, send: [], toggle: false }, "AltGr is never held");
});

test("on Windows, AltGr's made-up left Ctrl is dropped, elsewhere it is sent", () => {
  const win = new HotkeyFilter({ windows: true });
  win.keyDown("ControlLeft");
  assert.deepEqual(win.keyDown("AltRight"), { swallow: false, send: [], toggle: false });
  assert.deepEqual(win.keyUp("ControlLeft"), { swallow: true, send: [], toggle: false });
  const linux = new HotkeyFilter();
  linux.keyDown("ControlLeft");
  assert.deepEqual(linux.keyDown("AltRight").send, [[KS.Control_L, "ControlLeft", true]]);
});

test("the on-screen keyboard's text box: typed characters, Backspace and Enter", () => {
  assert.deepEqual(textInputKeys(INPUT_FILLER, INPUT_FILLER + "hi"), [0x68, 0x69]);
  assert.deepEqual(textInputKeys(INPUT_FILLER, INPUT_FILLER.slice(0, -2)), ["backspace", "backspace"]);
  assert.deepEqual(textInputKeys("__ab", "__ac\n"), ["backspace", 0x63, "return"]);
  assert.deepEqual(textInputKeys("_", "_€"), [0x20ac]);
  assert.deepEqual(textInputKeys("_", "_😀"), [0x1f600], "a code point, not two UTF-16 halves");
});

function memoryStorage(init = {}) {
  const m = new Map(Object.entries(init));
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), m };
}

test("display settings: noVNC's defaults, kept in storage, nonsense ignored", () => {
  assert.deepEqual(loadDisplay(memoryStorage()), DISPLAY_DEFAULTS);
  assert.deepEqual(loadDisplay(memoryStorage({ "vncgate.quality": "12", "vncgate.compression": "x", "vncgate.resize": "yes" })),
    DISPLAY_DEFAULTS);
  const s = memoryStorage();
  saveDisplay(s, { resize: true, quality: 9, compression: 0, dotCursor: true });
  assert.deepEqual(loadDisplay(s), { resize: true, quality: 9, compression: 0, dotCursor: true });
});

test("remote resize only for the controller", () => {
  const rfb = {};
  const settings = { resize: true, quality: 3, compression: 7, dotCursor: true };
  applyDisplay(rfb, settings, true);
  assert.deepEqual(rfb, { qualityLevel: 3, compressionLevel: 7, showDotCursor: true, resizeSession: true });
  applyDisplay(rfb, settings, false);
  assert.equal(rfb.resizeSession, false);
  applyDisplay(rfb, { ...settings, resize: false }, true);
  assert.equal(rfb.resizeSession, false);
});
