import assert from "node:assert/strict";
import { test } from "node:test";
import { pasteKeyEvents, pasteShortcutLabel, pasteShortcutName, XK } from "../src/app/keys.js";

test("Ctrl+V by default, Cmd+V for os=mac, an explicit paste-keys label wins", () => {
  assert.equal(pasteShortcutName({}), "ctrl+v");
  assert.equal(pasteShortcutName(undefined), "ctrl+v");
  assert.equal(pasteShortcutName({ os: "linux" }), "ctrl+v");
  assert.equal(pasteShortcutName({ os: "Mac" }), "cmd+v");
  assert.equal(pasteShortcutName({ os: "macos" }), "cmd+v");
  assert.equal(pasteShortcutName({ os: "mac", "paste-keys": "shift+insert" }), "shift+insert");
  assert.equal(pasteShortcutName({ "paste-keys": "bogus" }), "ctrl+v");
  assert.equal(pasteShortcutLabel({ os: "mac" }), "Cmd+V");
});

test("presses in order and releases in reverse", () => {
  assert.deepEqual(pasteKeyEvents({}), [
    [XK.Control_L, "ControlLeft", true], [XK.v, "KeyV", true], [XK.v, "KeyV", false], [XK.Control_L, "ControlLeft", false]]);
  assert.deepEqual(pasteKeyEvents({ os: "mac" })[0], [XK.Super_L, "MetaLeft", true]);
  assert.deepEqual(pasteKeyEvents({ "paste-keys": "none" }), []);
});
