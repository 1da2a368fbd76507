// The extra-keys and display panel, its hotkey (Ctrl+Alt+Shift), and the on-screen keyboard button.
// Everything here is built from extrakeys.js (words, keysyms, settings); main.js installs it once
// and calls render() whenever the viewer changes.
import keysyms from "../novnc/core/input/keysymdef.js";
import {
  applyDisplay, COMBOS, comboEvents, ctrlAltF, HotkeyFilter, INPUT_FILLER, KEY, KS, loadDisplay, saveDisplay,
  textInputKeys, TOGGLES, WORDS,
} from "./extrakeys.js";
import { onLanguageChange } from "./i18n.js";

// Elements whose words come from WORDS, by property: set again when the page's language changes.
const worded = [];
function word(e, map) {
  worded.push([e, map]);
  applyWords(e, map);
  return e;
}
function applyWords(e, map) {
  for (const [prop, id] of Object.entries(map)) {
    if (prop === "textContent" || prop === "title") e[prop] = WORDS[id];
    else e.setAttribute(prop, WORDS[id]);
  }
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(e.dataset, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/**
 * @param getViewer () => the current Viewer or null
 * @param screen the element noVNC draws into (key events from inside it are noVNC's)
 */
export function installPanel({ getViewer, screen }) {
  let settings = loadDisplay(localStorage);
  const sticky = new Set(); // toggled modifiers that are down on the desktop
  const filter = new HotkeyFilter({ windows: /Win/.test(navigator.platform || navigator.userAgent) });

  // ----- the panel -----
  const keyButtons = [];
  const keyButton = (id, onClick, extra = {}) => {
    const b = word(el("button", { type: "button", id: "key-" + id, ...extra }), { textContent: id });
    b.addEventListener("click", onClick);
    keyButtons.push(b);
    return b;
  };
  const keysRow = word(el("div", { className: "keys-row", role: "group" }), { "aria-label": "keysHeading" });
  keysRow.append(keyButton("esc", () => sendCombo(COMBOS.esc)), keyButton("tab", () => sendCombo(COMBOS.tab)));
  for (const t of TOGGLES) {
    keysRow.append(keyButton(t, () => toggle(t), { "aria-pressed": "false", className: "toggle" }));
  }
  keysRow.append(keyButton("ctrlAltDel", () => sendCombo(COMBOS.ctrlAltDel)),
    keyButton("ctrlAltBackspace", () => sendCombo(COMBOS.ctrlAltBackspace)),
    keyButton("printScreen", () => sendCombo(COMBOS.printScreen)));
  const fSelect = word(el("select", { id: "key-ctrlAltF" },
    word(el("option", { value: "" }), { textContent: "ctrlAltF" })), { title: "ctrlAltFTitle", "aria-label": "ctrlAltFTitle" });
  for (let n = 1; n <= 12; n++) fSelect.append(el("option", { value: String(n), textContent: "F" + n }));
  fSelect.addEventListener("change", () => {
    const n = Number(fSelect.value);
    fSelect.value = "";
    if (n) sendCombo(ctrlAltF(n));
  });
  keyButtons.push(fSelect);
  keysRow.append(fSelect);

  const levelSelect = (id, value) => {
    const s = word(el("select", { id: "display-" + id }), { title: id + "Title" });
    for (let n = 0; n <= 9; n++) s.append(el("option", { value: String(n), textContent: String(n) }));
    s.value = String(value);
    return el("label", { className: "setting" }, word(el("span"), { textContent: id }), " ", s);
  };
  const check = (id, value) => {
    const c = el("input", { type: "checkbox", id: "display-" + id, checked: value });
    return word(el("label", { className: "setting" }, c, " ", word(el("span"), { textContent: id })), { title: id + "Title" });
  };
  const resizeNote = word(el("span", { className: "setting-note", id: "display-resize-note", hidden: true }), { textContent: "resizeObserver" });
  const displayRow = word(el("div", { className: "keys-row", role: "group" },
    check("resize", settings.resize), resizeNote, levelSelect("quality", settings.quality),
    levelSelect("compression", settings.compression), check("dotCursor", settings.dotCursor)), { "aria-label": "displayHeading" });
  displayRow.addEventListener("change", () => {
    settings = {
      resize: document.getElementById("display-resize").checked,
      quality: Number(document.getElementById("display-quality").value),
      compression: Number(document.getElementById("display-compression").value),
      dotCursor: document.getElementById("display-dotCursor").checked,
    };
    saveDisplay(localStorage, settings);
    const v = getViewer();
    if (v) configure(v);
  });

  // the toolbar's clipboard buttons, in reach of the keyboard once the hotkey opened the panel
  const mirrors = ["paste", "copy"].map((id) => {
    const b = word(el("button", { type: "button", id: "panel-" + id }), { textContent: id, title: id + "Title" });
    const original = document.getElementById(id);
    b.addEventListener("click", () => original.click());
    const sync = () => {
      b.disabled = original.disabled;
    };
    new MutationObserver(sync).observe(original, { attributes: true, attributeFilter: ["disabled"] });
    sync();
    return b;
  });
  const clipboardRow = word(el("div", { className: "keys-row", role: "group" }, ...mirrors), { "aria-label": "clipboardHeading" });

  const panel = word(el("div", { id: "keys-panel", className: "keys-panel", hidden: true, role: "region" },
    keysRow, clipboardRow, displayRow, word(el("p", { className: "hint keys-hint" }), { textContent: "panelHint" })),
  { "aria-label": "panelLabel" });
  screen.parentElement.insertBefore(panel, screen);

  // ----- toolbar buttons -----
  const keysToggle = word(el("button", { type: "button", id: "keys", "aria-expanded": "false", "aria-controls": "keys-panel" }),
    { textContent: "keysButton", title: "keysButtonTitle" });
  keysToggle.addEventListener("click", () => setOpen(panel.hidden));
  const kbd = word(el("button", { type: "button", id: "keyboard" }), { textContent: "keyboardButton", title: "keyboardButtonTitle" });
  const input = el("textarea", { id: "keyboard-input", className: "keyboard-input", autocapitalize: "off", autocomplete: "off",
    spellcheck: false, "aria-hidden": "true", tabIndex: -1 });
  input.setAttribute("autocorrect", "off");
  document.body.append(input);
  document.getElementById("tools").prepend(kbd, keysToggle);

  // ----- sending -----
  const controlling = () => {
    const v = getViewer();
    return v && v.state === "connected" && !v.viewOnly && v.rfb ? v : null;
  };
  const send = (events) => {
    const v = controlling();
    if (!v) return false;
    for (const [sym, code, down] of events) v.rfb.sendKey(sym, code, down);
    return true;
  };
  const releaseSticky = () => {
    if (!sticky.size) return;
    send([...sticky].reverse().map((t) => [KEY[t][0], KEY[t][1], false]));
    sticky.clear();
    renderToggles();
  };
  function sendCombo(keys) {
    if (send(comboEvents(keys))) releaseSticky();
  }
  function toggle(t) {
    if (sticky.has(t)) {
      send([[KEY[t][0], KEY[t][1], false]]);
      sticky.delete(t);
    } else if (send([[KEY[t][0], KEY[t][1], true]])) {
      sticky.add(t);
    }
    renderToggles();
  }
  function renderToggles() {
    for (const t of TOGGLES) document.getElementById("key-" + t).setAttribute("aria-pressed", String(sticky.has(t)));
  }

  function setOpen(open) {
    panel.hidden = !open;
    keysToggle.setAttribute("aria-expanded", String(open));
    keysToggle.classList.toggle("open", open);
    const v = getViewer();
    if (open) {
      const first = [...panel.querySelectorAll("button, select, input")].find((e) => !e.disabled);
      if (first) first.focus();
    } else if (v && v.rfb) {
      v.rfb.focus({ preventScroll: true });
    }
  }

  // ----- the hotkey: a capture listener on the window runs before noVNC's on its canvas -----
  const fromScreen = (e) => screen.contains(e.target);
  window.addEventListener("keydown", (e) => {
    const r = filter.keyDown(e.code);
    if (fromScreen(e)) {
      send(r.send);
      if (r.swallow) {
        e.preventDefault();
        e.stopPropagation();
      }
    }
    if (r.toggle) {
      e.preventDefault();
      setOpen(panel.hidden);
    } else if (e.key === "Escape" && !panel.hidden && panel.contains(e.target)) {
      setOpen(false);
    }
  }, true);
  window.addEventListener("keyup", (e) => {
    const r = filter.keyUp(e.code);
    if (fromScreen(e)) {
      send(r.send);
      if (r.swallow) {
        e.preventDefault();
        e.stopPropagation();
      } else if (sticky.size && !/^(Control|Alt|Shift|Meta)/.test(e.code)) {
        setTimeout(releaseSticky, 0); // after noVNC sent this key's release
      }
    }
  }, true);
  screen.addEventListener("pointerdown", () => send(filter.flush()), true);
  window.addEventListener("blur", () => send(filter.reset()));

  // ----- the on-screen keyboard (a hidden text box, as noVNC's page does it) -----
  let last = INPUT_FILLER;
  const resetInput = () => {
    input.value = INPUT_FILLER;
    last = INPUT_FILLER;
  };
  resetInput();
  kbd.addEventListener("click", () => {
    resetInput();
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  });
  input.addEventListener("input", () => {
    const keys = textInputKeys(last, input.value);
    last = input.value;
    for (const k of keys) {
      if (k === "backspace") send(comboEvents([KEY.backspace]));
      else if (k === "return") send(comboEvents([[KS.Return, "Enter"]]));
      else send([[keysyms.lookup(k), "", true], [keysyms.lookup(k), "", false]]);
    }
    if (keys.length) releaseSticky();
    if (last.length < INPUT_FILLER.length / 2 || last.length > INPUT_FILLER.length * 2) resetInput();
  });
  input.addEventListener("blur", resetInput);

  // ----- display settings on noVNC -----
  function configure(v) {
    if (v.rfb) applyDisplay(v.rfb, settings, !v.viewOnly);
  }

  const self = {
    /** Called for each new RFB and each role change (Viewer.configureRfb). */
    configure,
    render(v) {
      const connected = v && v.state === "connected";
      const canSend = connected && !v.viewOnly;
      const why = !connected ? WORDS.notConnected : v.viewOnly ? WORDS.onlyController : "";
      for (const b of keyButtons) {
        b.disabled = !canSend;
        const own = b.classList.contains("toggle") ? WORDS.toggleTitle : b.id === "key-ctrlAltF" ? WORDS.ctrlAltFTitle : "";
        b.title = why || own;
      }
      kbd.disabled = !canSend;
      kbd.title = why || WORDS.keyboardButtonTitle;
      resizeNote.hidden = !(connected && v.viewOnly);
      if (!canSend && sticky.size) {
        sticky.clear();
        renderToggles();
      }
    },
  };
  onLanguageChange(() => {
    for (const [e, map] of worded) applyWords(e, map);
    self.render(getViewer());
  });
  return self;
}
