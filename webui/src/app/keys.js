// The paste shortcut sent after the clipboard text, chosen by the target's labels:
//   label paste-keys: ctrl+v | cmd+v | shift+insert | none   (wins when present)
//   label os: mac (also macos, darwin, osx)                   -> cmd+v
//   anything else                                             -> ctrl+v

export const XK = Object.freeze({
  Control_L: 0xffe3,
  Shift_L: 0xffe1,
  Super_L: 0xffeb, // noVNC sends the Mac Command key (Meta) as Super
  Insert: 0xff63,
  v: 0x0076,
});

const SHORTCUTS = {
  "ctrl+v": [[XK.Control_L, "ControlLeft"], [XK.v, "KeyV"]],
  "cmd+v": [[XK.Super_L, "MetaLeft"], [XK.v, "KeyV"]],
  "shift+insert": [[XK.Shift_L, "ShiftLeft"], [XK.Insert, "Insert"]],
  none: [],
};

const MAC_NAMES = new Set(["mac", "macos", "darwin", "osx"]);

/** The shortcut's name for a target's labels (an object of strings; may be missing). */
export function pasteShortcutName(labels) {
  const l = labels || {};
  const explicit = String(l["paste-keys"] || "").trim().toLowerCase();
  if (explicit in SHORTCUTS) return explicit;
  return MAC_NAMES.has(String(l.os || "").trim().toLowerCase()) ? "cmd+v" : "ctrl+v";
}

/** The key events for a shortcut: [keysym, code, down] presses in order, then releases in reverse. */
export function pasteKeyEvents(labels) {
  const keys = SHORTCUTS[pasteShortcutName(labels)];
  return [...keys.map(([sym, code]) => [sym, code, true]), ...[...keys].reverse().map(([sym, code]) => [sym, code, false])];
}

/** How the shortcut is shown in the toolbar's tooltip. */
export function pasteShortcutLabel(labels) {
  return { "ctrl+v": "Ctrl+V", "cmd+v": "Cmd+V", "shift+insert": "Shift+Insert", none: "no shortcut" }[pasteShortcutName(labels)];
}
