// The page: sign-in (token from the URL fragment, pasted, or from the identity provider: signin.js),
// the list of desktops, and the viewer with its toolbar. Everything the page shows is rendered
// from the Viewer's state on "change".
import { Api, ApiError } from "./api.js";
import { CATALOGUES, LANGUAGE_NAMES, chooseLanguage, language, onLanguageChange, startLanguage, t } from "./i18n.js";
import { TargetList, rememberRecent } from "./targets.js";
import * as signin from "./signin.js";
import { explain } from "./errors.js";
import { fragmentFor, jwtClaims, parseFragment, secondsLeft } from "./fragment.js";
import { pasteShortcutLabel } from "./keys.js";
import { Viewer } from "./viewer.js";
import { installPanel } from "./panel.js";
import { waitingText } from "./waiting.js";

const TOKEN_KEY = "vncgate.token";
const SCALE_KEY = "vncgate.scale";
const $ = (id) => document.getElementById(id);

startLanguage();

let viewer = null;
let targetList = null;
let countdown = null;
let signInConfig = null; // a promise of the gateway's sign-in offer (signin.fetchConfig)
// the extra keys, the display settings, the on-screen keyboard and the Ctrl+Alt+Shift hotkey
const panel = installPanel({ getViewer: () => viewer, screen: $("screen") });

/** Moves a token from the fragment to sessionStorage and takes it out of the address bar. */
function takeTokenFromUrl() {
  const f = parseFragment(location.hash);
  if (!f.token) return;
  sessionStorage.setItem(TOKEN_KEY, f.token);
  history.replaceState(null, "", location.pathname + location.search + fragmentFor(f.target, f.role));
}

function show(view) {
  for (const id of ["signin-view", "targets-view", "viewer-view"]) $(id).hidden = id !== view;
  $("tools").hidden = view !== "viewer-view";
  document.body.dataset.view = view;
}

function route() {
  const f = parseFragment(location.hash);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (viewer && (viewer.target !== f.target || viewer.requestedRole !== f.role || viewer.token !== token)) {
    viewer.destroy();
    viewer = null;
  }
  if (targetList && (f.target || !token)) {
    targetList.stop();
    targetList = null;
  }
  if (!token) {
    showSignin(() => t("signin.needToken"));
    return;
  }
  const claims = jwtClaims(token);
  const left = secondsLeft(claims, Date.now());
  if (left !== null && left <= 0) {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignin(() => t("signin.expired"));
    return;
  }
  const role = claims.vncgate && claims.vncgate.role === "view" ? "view" : "control";
  $("user").textContent = role === "view" ? t("user.viewOnly", { user: claims.sub || "" }) : (claims.sub || "");
  if (!f.target) {
    if (!targetList) showTargets(token, claims, role);
  } else if (!viewer) {
    showViewer(token, claims, role, f);
  }
}

// ----- sign-in -----

/** The sign-in view's reason: words in the page's language (a function, redrawn on a switch) or the gateway's. */
let signinReason = () => t("signin.needToken");

function showSignin(reason) {
  signinReason = typeof reason === "function" ? reason : () => reason;
  show("signin-view");
  setStatus("idle", t("state.notSignedIn"));
  $("signin-reason").textContent = signinReason();
  $("target-name").textContent = "";
  document.title = "vncgate";
  offerSignIn();
}

/** The gateway refused the token (401): drop it and show the sign-in with the gateway's words. */
function signInAgain(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (viewer) {
    viewer.destroy();
    viewer = null;
  }
  if (targetList) {
    targetList.stop();
    targetList = null;
  }
  showSignin(() => t("signin.refused", { message }));
}

/** Shows "Sign in with <issuer host>" when the gateway offers sign-in at its identity provider. */
async function offerSignIn() {
  if (!signInConfig) signInConfig = signin.fetchConfig(location.href);
  const config = await signInConfig;
  const button = $("signin-idp");
  const note = $("signin-idp-note");
  if (config && config.authorizationEndpoint) {
    button.textContent = signin.buttonText(config);
    button.hidden = false;
    note.hidden = true;
  } else if (config && config.unavailable) {
    signInConfig = null; // ask again next time
    button.hidden = true;
    note.textContent = t("signin.idpUnavailable", { reason: config.unavailable });
    note.hidden = false;
  }
}

$("signin-idp").addEventListener("click", async () => {
  const config = await signInConfig;
  if (!config || !config.authorizationEndpoint) return;
  $("signin-idp").disabled = true;
  try {
    location.assign(await signin.begin(config, location.href, sessionStorage));
  } catch (e) {
    $("signin-idp").disabled = false;
    $("signin-reason").textContent = e instanceof signin.SignInError ? e.message : t("signin.couldNotStart", { error: String(e) });
  }
});

/**
 * The identity provider's answer (?code=&state= or ?error=): out of the address bar at once, then
 * checked against this tab's pending sign-in and exchanged for a token. Returns the words of a
 * failure, or null (signed in, or there was no answer).
 */
async function finishSignIn() {
  const answer = signin.readAnswer(location.search);
  if (!answer) return null;
  history.replaceState(null, "", location.pathname + signin.queryWithoutAnswer(location.search) + location.hash);
  try {
    const pending = signin.checkAnswer(answer, sessionStorage);
    sessionStorage.setItem(TOKEN_KEY, await signin.exchange(pending, answer.code));
    if (pending.fragment && !location.hash) history.replaceState(null, "", location.pathname + location.search + pending.fragment);
    return null;
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    return e instanceof signin.SignInError ? e.message : t("signin.failed", { error: String(e) });
  }
}

$("signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const token = $("signin-token").value.trim().replace(/^Bearer\s+/i, "");
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $("signin-token").value = "";
  route();
});

// ----- the list of desktops -----

function showTargets(token, claims, tokenRole) {
  show("targets-view");
  setStatus("idle", t("state.pickDesktop"));
  $("target-name").textContent = "";
  document.title = t("title.list");
  targetList = new TargetList({
    api: new Api(token),
    user: claims.sub || "",
    tokenRole,
    storage: localStorage,
    els: { list: $("target-list"), message: $("targets-message"), filter: $("target-filter") },
    onRefused: (message) => signInAgain(message),
  });
  targetList.onFailure = (e) => {
    const p = explain(e instanceof ApiError ? e.failure : { source: "network", message: String(e) });
    $("targets-message").textContent = p.title + (p.detail ? ": " + p.detail : "") + ". " + p.next;
  };
  targetList.start();
}

$("target-filter").addEventListener("input", () => targetList && targetList.filterChanged());
$("target-check").addEventListener("click", () => targetList && targetList.checkVisible(true));

// ----- the viewer -----

function showViewer(token, claims, tokenRole, f) {
  show("viewer-view");
  $("target-name").textContent = f.target;
  document.title = t("title.page", { name: f.target });
  rememberRecent(localStorage, claims.sub || "", f.target);
  viewer = new Viewer({
    token,
    user: claims.sub || "",
    canControl: tokenRole === "control",
    target: f.target,
    requestedRole: f.role,
    labels: {},
    screen: $("screen"),
  });
  viewer.scale = localStorage.getItem(SCALE_KEY) === "1:1" ? "1:1" : "fit";
  viewer.configureRfb = panel.configure;
  viewer.addEventListener("change", () => render(viewer));
  viewer.addEventListener("notice", (e) => toast(e.detail.text));
  viewer.addEventListener("clipboard", () => {
    $("copy").disabled = false;
    $("copy").classList.add("fresh");
  });
  $("copy").disabled = true;
  $("copy").classList.remove("fresh");
  viewer.start();
  const v = viewer;
  new Api(token).targets().then((targets) => {
    const target = targets.find((x) => x.id === f.target);
    if (!target || v !== viewer) return;
    v.labels = target.labels || {};
    $("target-name").textContent = target.name && target.name !== target.id ? target.name + " · " + target.id : target.id;
    document.title = t("title.page", { name: target.name || target.id });
    render(v);
  }, () => {});
}

const STATE_WORDS = ["idle", "requesting", "connecting", "connected", "waiting", "stopped"];

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status-text").textContent = text;
}

function render(v) {
  if (v !== viewer) return;
  const connected = v.state === "connected";
  let text = STATE_WORDS.includes(v.state) ? t("state." + v.state) : v.state;
  if (v.state === "waiting") text = t("state.reconnectingIn", { s: Math.max(0, Math.ceil((v.retryAt - Date.now()) / 1000)) });
  if (v.state === "stopped" && v.problem) text = v.problem.title;
  if (v.state === "connecting" && v.queue) text = waitingText(v.queue, v.target, Date.now()).status;
  setStatus(v.state, text);

  const viewOnly = connected && v.role === "view";
  document.body.classList.toggle("view-only", viewOnly);
  $("viewonly-banner").hidden = !viewOnly;
  const badge = $("role-badge");
  badge.hidden = !connected || v.role === null;
  badge.textContent = v.viewOnly ? t("role.viewOnly") : t("role.youControl");
  badge.dataset.role = v.viewOnly ? "view" : "control";

  const controller = $("controller");
  let who = "";
  if (connected && v.viewOnly && v.controller && !v.isMe(v.controller) && v.controller.user) {
    who = t("role.controlledBy", { user: v.controller.user });
  } else if (connected && v.viewOnly && v.features.control && !v.controller) {
    who = t("role.nobodyControls");
  }
  controller.hidden = !who;
  controller.textContent = who;

  const shared = v.features.control === true && connected && !!(v.session && v.session.viewer);
  $("take-control").hidden = !(shared && v.viewOnly && v.mayControl);
  $("give-back").hidden = !(shared && !v.viewOnly && v.features.giveBack);
  $("paste").disabled = !connected || v.viewOnly;
  $("paste").title = t("tool.paste.titleWith", { shortcut: pasteShortcutLabel(v.labels) });
  $("cad").disabled = !connected || v.viewOnly;
  $("scale").textContent = v.scale === "fit" ? t("tool.scale.fit") : "1:1";
  $("scale").setAttribute("aria-pressed", String(v.scale === "fit"));
  $("disconnect").textContent = v.state === "stopped" ? t("tool.reconnect") : t("tool.disconnect");
  $("copy").disabled = v.remoteClipboard === null;

  renderOverlay(v);
  panel.render(v);
}

function renderOverlay(v) {
  const overlay = $("overlay");
  clearInterval(countdown);
  countdown = null;
  if (v.state === "connected" || v.state === "idle") {
    overlay.hidden = true;
    return;
  }
  overlay.hidden = false;
  overlay.dataset.state = v.state;
  const p = v.problem;
  if (v.state === "stopped" && !p) {
    $("overlay-title").textContent = t("overlay.disconnected");
    $("overlay-detail").textContent = "";
    $("overlay-next").textContent = t("overlay.youDisconnected", { target: v.target });
  } else if (v.state === "connecting" && v.queue) {
    const w = waitingText(v.queue, v.target, Date.now());
    $("overlay-title").textContent = w.title;
    $("overlay-detail").textContent = w.detail;
    $("overlay-next").textContent = w.next;
  } else if (!p) {
    $("overlay-title").textContent = t("overlay.connectingTo", { target: v.target });
    $("overlay-detail").textContent = "";
    $("overlay-next").textContent = "";
  } else {
    $("overlay-title").textContent = p.title;
    $("overlay-detail").textContent = p.detail;
    $("overlay-next").textContent = p.next;
  }
  const retry = $("overlay-retry");
  if (v.state === "waiting") {
    const tick = () => {
      const s = Math.max(0, Math.ceil((v.retryAt - Date.now()) / 1000));
      retry.textContent = t("overlay.tryingAgainIn", { s });
      setStatus("waiting", t("state.reconnectingIn", { s }));
    };
    tick();
    countdown = setInterval(tick, 1000);
  } else if (v.state === "connecting" && v.queue && v.queue.retryInSeconds > 0) {
    const tick = () => {
      $("overlay-detail").textContent = waitingText(v.queue, v.target, Date.now()).detail;
    };
    retry.textContent = "";
    countdown = setInterval(tick, 1000);
  } else if (v.state === "requesting" || v.state === "connecting") {
    retry.textContent = p && !v.queue ? t("overlay.tryingAgainNow") : "";
  } else {
    retry.textContent = "";
  }
  $("reconnect").hidden = v.state === "requesting" || v.state === "connecting";
  const refused = v.state === "stopped" && v.failure && v.failure.source === "http" && v.failure.status === 401;
  $("overlay-signin").hidden = !refused;
  $("reconnect").textContent = v.state === "stopped" ? t("tool.reconnect") : t("overlay.reconnectNow");
}

// ----- toolbar -----

$("home").addEventListener("click", (e) => {
  e.preventDefault();
  if (targetList && !parseFragment(location.hash).target) {
    // already on the list: load it again (the roster and the targets; checks still kept 60 s)
    targetList.stop();
    targetList = null;
    route();
    return;
  }
  location.hash = "";
});
$("back").addEventListener("click", () => {
  location.hash = "";
});
$("reconnect").addEventListener("click", () => viewer && viewer.reconnectNow());
$("overlay-signin").addEventListener("click", () => {
  if (viewer && viewer.failure) signInAgain(viewer.failure.message || "refused");
});
$("disconnect").addEventListener("click", () => {
  if (!viewer) return;
  if (viewer.state === "stopped") viewer.reconnectNow();
  else viewer.stop();
});
$("take-control").addEventListener("click", () => viewer && viewer.takeControl());
$("give-back").addEventListener("click", () => viewer && viewer.giveBack());
$("cad").addEventListener("click", () => viewer && viewer.ctrlAltDel());
$("scale").addEventListener("click", () => {
  if (!viewer) return;
  const next = viewer.scale === "fit" ? "1:1" : "fit";
  localStorage.setItem(SCALE_KEY, next);
  viewer.setScale(next);
});
$("fullscreen").addEventListener("click", () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch((e) => toast(t("tool.fullscreen.unavailable", { error: e.message })));
});
document.addEventListener("fullscreenchange", () => {
  $("fullscreen").textContent = document.fullscreenElement ? t("tool.fullscreen.exit") : t("tool.fullscreen");
});

$("paste").addEventListener("click", async () => {
  if (!viewer) return;
  let text = null;
  if (navigator.clipboard && navigator.clipboard.readText) {
    try {
      text = await navigator.clipboard.readText();
    } catch {
      text = null; // not allowed (permission, insecure context, no user gesture): ask instead
    }
  }
  if (text === null || text === "") {
    openPasteDialog(text === "" ? t("paste.empty") : t("paste.cannotRead"));
    return;
  }
  viewer.paste(text);
});

function openPasteDialog(why) {
  $("paste-why").textContent = why;
  $("paste-text").value = "";
  $("paste-dialog").showModal();
  $("paste-text").focus();
}

$("paste-dialog").addEventListener("close", () => {
  const text = $("paste-text").value;
  if ($("paste-dialog").returnValue === "send" && text && viewer) viewer.paste(text);
  $("paste-text").value = "";
});
$("paste-text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    $("paste-dialog").close("send");
  }
});

$("copy").addEventListener("click", async () => {
  if (!viewer || viewer.remoteClipboard === null) return;
  const text = viewer.remoteClipboard;
  $("copy").classList.remove("fresh");
  try {
    await navigator.clipboard.writeText(text);
    toast(t("copy.copied", { n: [...text].length }));
  } catch {
    $("copy-text").value = text;
    $("copy-dialog").showModal();
    $("copy-text").select();
  }
});

// ----- toasts -----

function toast(text) {
  const el = document.createElement("div");
  el.className = "toast";
  el.textContent = text;
  $("toasts").append(el);
  setTimeout(() => el.remove(), 5000);
}

// ----- the language switch -----

{
  const select = $("lang");
  for (const code of Object.keys(CATALOGUES)) {
    const option = document.createElement("option");
    option.value = code;
    option.textContent = LANGUAGE_NAMES[code];
    select.append(option);
  }
  select.value = language();
  select.addEventListener("change", () => chooseLanguage(select.value));
}

/** A new language: the words drawn by code are drawn again (the marked ones translateDom did). */
onLanguageChange(() => {
  $("lang").value = language();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (viewer) {
    render(viewer);
  } else if (targetList) {
    setStatus("idle", t("state.pickDesktop"));
    document.title = t("title.list");
    targetList.render();
  } else if (document.body.dataset.view === "signin-view") {
    $("signin-reason").textContent = signinReason();
    setStatus("idle", t("state.notSignedIn"));
  }
  if (token) {
    const claims = jwtClaims(token);
    const viewOnly = claims.vncgate && claims.vncgate.role === "view";
    $("user").textContent = viewOnly ? t("user.viewOnly", { user: claims.sub || "" }) : (claims.sub || "");
  }
  offerSignInWords();
});

function offerSignInWords() {
  if (!signInConfig) return;
  signInConfig.then((config) => {
    if (config && config.authorizationEndpoint) $("signin-idp").textContent = signin.buttonText(config);
  });
}

window.addEventListener("hashchange", () => {
  takeTokenFromUrl();
  route();
});
// Leaving the page (or the browser freezing it in its back/forward cache) closes the desktop's
// connections at once, so a reload never finds its own old connection still holding control.
window.addEventListener("pagehide", () => {
  if (viewer) {
    viewer.destroy();
    viewer = null;
  }
});
window.addEventListener("pageshow", (e) => {
  if (e.persisted) route();
});
window.addEventListener("online", () => {
  if (viewer && viewer.state === "waiting") viewer.reconnectNow();
});

takeTokenFromUrl();
if (signin.readAnswer(location.search)) {
  show("signin-view");
  setStatus("idle", t("state.signingIn"));
  $("signin-reason").textContent = t("state.signingIn");
}
finishSignIn().then((problem) => {
  if (problem) showSignin(problem);
  else route();
});
