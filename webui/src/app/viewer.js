// One viewer of one target: asks the gateway for a session (a one-shot ticket), opens the RFB
// WebSocket with noVNC, follows role changes, and reconnects with backoff when the connection
// drops; each attempt asks for a fresh ticket. The UI listens to "change" and "notice" events.
import { gatewayWsUrl } from "./paths.js";
import RFB from "../novnc/core/rfb.js";
import { Api, ApiError, controllerOf } from "./api.js";
import { Backoff } from "./backoff.js";
import { explain } from "./errors.js";
import { SessionEvents } from "./events.js";
import { t } from "./i18n.js";
import { pasteKeyEvents } from "./keys.js";

/** A connection that lasted this long resets the backoff. */
const STABLE_MS = 10000;
const ROSTER_POLL_MS = 5000;
/** How long after asking for a session an uncontrolled desktop is claimed by a viewer that asked for control. */
const CLAIM_MS = 15000;

export class Viewer extends EventTarget {
  constructor({ token, user, canControl, target, requestedRole, labels, screen }) {
    super();
    this.api = new Api(token);
    this.token = token;
    this.user = user;
    this.canControl = canControl; // the token's role allows control
    this.mayControl = canControl; // this viewer may take control (the gateway says so per viewer)
    this.target = target;
    this.requestedRole = requestedRole; // null: the token's highest role
    this.labels = labels || {};
    this.screen = screen;
    this.backoff = new Backoff();

    this.state = "idle"; // requesting | connecting | connected | waiting | stopped
    this.problem = null; // {title, detail, next, retry} from errors.js
    this.queue = null; // while connecting: {position, length, retryInSeconds, at} when waiting for a turn at the target
    this.retryAt = 0;
    this.role = null;
    this.controller = null;
    this.session = null; // {id, viewer}
    this.features = { control: null, giveBack: true }; // null: not known yet
    this.desktopName = "";
    this.remoteClipboard = null;
    this.scale = "fit";
    this.configureRfb = null; // (viewer) => void: sets the page's display settings on this.rfb

    this.conn = null; // {rfb, ws, close, failure, connectedAt}
    this.events = null;
    this.pollTimer = null;
    this.retryTimer = null;
    this.attempt = 0;
    this.userStopped = false;
    this.endedReason = null;
    this.claimUntil = 0;
    this.claiming = false;
  }

  get rfb() {
    return this.conn ? this.conn.rfb : null;
  }

  get viewOnly() {
    return this.role !== "control";
  }

  change() {
    this.dispatchEvent(new Event("change"));
  }

  notice(text) {
    this.dispatchEvent(new CustomEvent("notice", { detail: { text } }));
  }

  start() {
    this.userStopped = false;
    this.endedReason = null;
    this.connect();
  }

  async connect() {
    clearTimeout(this.retryTimer);
    this.closeConnection();
    this.endedReason = null;
    const attempt = ++this.attempt;
    this.state = "requesting";
    this.change();
    let reply;
    try {
      reply = await this.api.createSession(this.target, this.requestedRole);
    } catch (e) {
      if (attempt === this.attempt) this.failed(e instanceof ApiError ? e.failure : { source: "network", message: e.message });
      return;
    }
    if (attempt !== this.attempt || this.userStopped) return;
    this.session = { id: reply.id, viewer: reply.viewer || null };
    if (reply.viewer) {
      // a shared session: the reply's role is the most this viewer may do; whether it controls
      // is decided when it connects and arrives on the push channel (until then: view only)
      this.mayControl = this.canControl && reply.role === "control";
      this.role = null;
      this.controller = null;
      // asked for control: if nobody controls once we are in (say the previous tab of this user
      // was still leaving when we joined), take it rather than leave the desktop without one
      this.claimUntil = this.mayControl && this.requestedRole !== "view" ? Date.now() + CLAIM_MS : 0;
    } else {
      this.mayControl = false;
      this.role = reply.role === "view" ? "view" : "control";
      this.controller = this.role === "control" ? { viewer: null, user: this.user } : null;
    }
    this.openRfb(reply);
    this.followRoles();
  }

  openRfb(reply) {
    const path = (reply.websocket && reply.websocket.path) || "/ws/v1/connect";
    const protocols = (reply.websocket && reply.websocket.protocols) || ["binary"];
    const url = gatewayWsUrl(path, location.href);
    // Our own WebSocket (noVNC accepts one) so the close code and reason are ours to show.
    const ws = new WebSocket(url, protocols);
    const conn = { rfb: null, ws, close: null, failure: null, connectedAt: 0 };
    ws.addEventListener("close", (e) => {
      conn.close = { code: e.code, reason: e.reason };
    });
    this.conn = conn;
    this.state = "connecting";
    this.change();

    const rfb = new RFB(this.screen, ws, { shared: true });
    conn.rfb = rfb;
    rfb.viewOnly = this.viewOnly;
    rfb.scaleViewport = this.scale === "fit";
    rfb.background = "#101317";
    if (this.configureRfb) this.configureRfb(this); // the page's display settings (panel.js)
    rfb.addEventListener("connect", () => {
      if (this.conn !== conn) return;
      conn.connectedAt = Date.now();
      this.state = "connected";
      this.queue = null;
      this.problem = null;
      this.change();
      if (!this.viewOnly) rfb.focus({ preventScroll: true });
      this.maybeClaim();
    });
    rfb.addEventListener("securityfailure", (e) => {
      const reason = e.detail.reason || "security negotiation failed (status " + e.detail.status + ")";
      conn.failure = { source: "rfb", reason };
    });
    rfb.addEventListener("credentialsrequired", () => {
      conn.failure = { source: "rfb", reason: "the server asked for a password, which should never happen behind vncgate: tell the operator" };
      rfb.disconnect();
    });
    rfb.addEventListener("disconnect", () => this.onDisconnect(conn));
    rfb.addEventListener("desktopname", (e) => {
      this.desktopName = e.detail.name;
      this.change();
    });
    rfb.addEventListener("clipboard", (e) => {
      this.remoteClipboard = e.detail.text;
      this.dispatchEvent(new CustomEvent("clipboard", { detail: { text: e.detail.text } }));
    });
  }

  onDisconnect(conn) {
    if (this.conn !== conn) return;
    this.conn = null;
    this.queue = null;
    this.stopFollowingRoles();
    if (this.userStopped) {
      this.state = "stopped";
      this.problem = null;
      this.change();
      return;
    }
    const wasConnected = conn.connectedAt > 0;
    if (wasConnected && Date.now() - conn.connectedAt >= STABLE_MS) this.backoff.reset();
    let failure;
    if (this.endedReason !== null) {
      failure = { source: "ended", reason: this.endedReason };
    } else if (conn.failure) {
      failure = conn.failure;
    } else {
      const close = conn.close || { code: 1006, reason: "" };
      failure = { source: "close", code: close.code, reason: close.reason, wasConnected };
    }
    this.failed(failure);
  }

  failed(failure) {
    this.failure = failure; // what explain() was given: the page acts on its type (a 401 offers sign-in again)
    this.problem = explain(failure, { target: this.target });
    if (this.problem.retry === "backoff" && !this.userStopped) {
      const delay = this.backoff.next();
      this.retryAt = Date.now() + delay;
      this.state = "waiting";
      this.retryTimer = setTimeout(() => this.connect(), delay);
    } else {
      this.state = "stopped";
    }
    this.change();
  }

  /** The user pressed Disconnect: stay disconnected until Reconnect. */
  stop() {
    this.userStopped = true;
    clearTimeout(this.retryTimer);
    this.attempt++;
    if (this.conn) {
      this.conn.rfb.disconnect();
    } else {
      this.state = "stopped";
      this.problem = null;
      this.change();
    }
  }

  reconnectNow() {
    this.userStopped = false;
    this.endedReason = null;
    this.backoff.reset();
    this.connect();
  }

  /** Leaves for good (the page navigates away from this target). */
  destroy() {
    this.userStopped = true;
    clearTimeout(this.retryTimer);
    this.attempt++;
    this.stopFollowingRoles();
    this.closeConnection();
  }

  closeConnection() {
    const conn = this.conn;
    this.conn = null;
    this.stopFollowingRoles();
    if (conn) conn.rfb.disconnect();
  }

  // ----- roles: the session roster, the push channel, take control / give back -----

  async followRoles() {
    const session = this.session;
    if (!session || !session.viewer || this.features.control === false) {
      if (session && !session.viewer) this.features.control = false;
      this.change();
      return;
    }
    await this.refreshRoster();
    if (this.session !== session || !this.conn || this.events || this.features.control === false) return;
    this.events = new SessionEvents({
      token: this.token,
      viewer: session.viewer,
      onRole: (role, controller, mayControl) => this.onRole(role, controller, mayControl),
      onEnded: (reason) => this.onEnded(reason),
      onQueue: (q) => this.onQueue(q),
      onUnavailable: () => {
        // no push channel on this gateway: fall back to reading the roster now and then
        this.pollTimer = setInterval(() => this.refreshRoster(), ROSTER_POLL_MS);
      },
    });
    this.events.start();
  }

  stopFollowingRoles() {
    if (this.events) this.events.stop();
    this.events = null;
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  async refreshRoster() {
    const session = this.session;
    let sessions;
    try {
      sessions = await this.api.sessions();
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
        this.features.control = false;
        this.change();
      }
      return;
    }
    if (this.session !== session) return;
    this.features.control = true;
    const mine = sessions.find((s) => s.id === session.id);
    if (mine) {
      const me = (mine.viewers || []).find((v) => v.id === session.viewer);
      if (me && (me.role === "control" || me.role === "view")) this.setRole(me.role);
      if (me && typeof me.mayControl === "boolean") this.mayControl = me.mayControl;
      this.controller = controllerOf(mine);
    }
    this.change();
    this.maybeClaim();
  }

  /** Where this viewer waits for its turn at the target (the gateway paces its connections to it), or null. */
  onQueue(q) {
    this.queue = q && this.state === "connecting" ? { ...q, at: Date.now() } : null;
    this.change();
  }

  onRole(role, controller, mayControl) {
    if (typeof mayControl === "boolean") this.mayControl = mayControl;
    if (role) this.setRole(role);
    this.controller = controller;
    this.change();
    this.maybeClaim();
  }

  /**
   * Right after joining, a viewer that asked for control takes it when nobody has it or when
   * the same user holds it elsewhere: a reload or reconnect whose old connection is still
   * leaving, or the same user's other tab. Someone else in control ends that window, so control
   * given away or taken by another user is never taken back behind anyone's back.
   */
  maybeClaim() {
    const other = this.controller && this.controller.user !== this.user;
    if (this.role === "control" || other) this.claimUntil = 0;
    if (Date.now() >= this.claimUntil || this.claiming || this.state !== "connected") return;
    if (!this.mayControl || this.role !== "view" || this.isMe(this.controller)) return;
    this.claiming = true;
    this.takeControl(true).finally(() => {
      this.claiming = false;
    });
  }

  onEnded(reason) {
    this.endedReason = reason;
    // the gateway closes the RFB connection itself; make sure it does not linger
    setTimeout(() => {
      if (this.conn) this.conn.rfb.disconnect();
    }, 2000);
  }

  setRole(role) {
    const before = this.role;
    this.role = role;
    if (this.rfb) this.rfb.viewOnly = this.viewOnly;
    if (this.rfb && this.configureRfb) this.configureRfb(this); // remote resize only while in control
    // no toast while joining (the first role messages settle who controls), only for later changes
    if (before !== null && before !== role && Date.now() >= this.claimUntil) {
      this.notice(role === "control" ? t("notice.youControl") : t("notice.youWatch"));
    }
    if (role === "control" && before !== "control" && this.rfb) this.rfb.focus({ preventScroll: true });
  }

  isMe(controller) {
    return !!(controller && this.session && controller.viewer && controller.viewer === this.session.viewer);
  }

  async takeControl(quiet = false) {
    if (!this.session) return;
    try {
      await this.api.takeControl(this.session.id, this.session.viewer);
      this.setRole("control");
      this.controller = { viewer: this.session.viewer, user: this.user };
      if (this.rfb) this.rfb.focus({ preventScroll: true });
    } catch (e) {
      if (!quiet) this.controlFailed(e, "notice.couldNotTake");
    }
    this.change();
  }

  async giveBack() {
    if (!this.session) return;
    try {
      await this.api.release(this.session.id, this.session.viewer);
      this.claimUntil = 0;
      this.setRole("view");
      this.controller = null;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 405 || (e.status === 404 && /no such endpoint/.test(e.message)))) {
        this.features.giveBack = false;
        this.notice(t("notice.noGiveBack"));
      } else {
        this.controlFailed(e, "notice.couldNotGiveBack");
      }
    }
    this.change();
  }

  controlFailed(e, wordsKey) {
    if (e instanceof ApiError && e.status === 404 && /no such endpoint/.test(e.message)) {
      this.features.control = false;
      this.notice(t("notice.noSharedSessions"));
    } else {
      this.notice(t(wordsKey, { error: e.message || e }));
    }
  }

  // ----- toolbar actions -----

  /** Sends text as the remote clipboard, then the target's paste shortcut. */
  paste(text) {
    const rfb = this.rfb;
    if (!rfb || this.state !== "connected") {
      this.notice(t("notice.notConnected"));
      return false;
    }
    if (this.viewOnly) {
      this.notice(t("notice.viewOnlyNoPaste"));
      return false;
    }
    rfb.clipboardPasteFrom(text);
    for (const [keysym, code, down] of pasteKeyEvents(this.labels)) rfb.sendKey(keysym, code, down);
    rfb.focus({ preventScroll: true });
    const lossy = [...text].some((c) => c.codePointAt(0) > 0xff);
    this.notice(t(lossy ? "notice.pastedLossy" : "notice.pasted", { n: [...text].length }));
    return true;
  }

  ctrlAltDel() {
    if (this.rfb && !this.viewOnly) {
      this.rfb.sendCtrlAltDel();
      this.rfb.focus({ preventScroll: true });
    }
  }

  setScale(scale) {
    this.scale = scale;
    if (this.rfb) this.rfb.scaleViewport = scale === "fit";
    this.change();
  }
}
