// The push channel for role changes: a small JSON WebSocket at /ws/v1/events, subprotocol
// "vncgate.events". The JWT goes in the first text message (never in the URL):
//   → {"token": "<jwt>", "viewer": "<viewer id>"}
//   ← {"type": "role", "session", "viewer", "role": "control"|"view", "mayControl": true|false,
//      "controller": {"viewer", "user"}|null}          at once, then on every change of control
//   ← {"type": "ended", "reason": "..."}               when this viewer's connection ends
//   ← {"type": "queue", "viewer", "waiting": true, "position", "length", "retryInSeconds"}
//                                                     while this viewer waits for its turn at the target
//                                                     ("waiting": false once the gateway connects to it)
//   ← {"type": "queue", "viewer", "waiting": true, "preparing": true}
//                                                     while the target's provider still prepares it (a desktop starting)
// If the gateway has no such endpoint the socket never opens and onUnavailable() is called once.

import { gatewayWsUrl } from "./paths.js";
import { queueFromEvent } from "./waiting.js";

export const EVENTS_PATH = "/ws/v1/events";
export const EVENTS_PROTOCOL = "vncgate.events";

export class SessionEvents {
  constructor({ token, viewer, onRole, onEnded, onUnavailable, onQueue }) {
    this.token = token;
    this.viewer = viewer;
    this.onRole = onRole;
    this.onEnded = onEnded;
    this.onUnavailable = onUnavailable;
    this.onQueue = onQueue || (() => {});
    this.ws = null;
    this.stopped = false;
    this.everOpened = false;
    this.retries = 0;
    this.timer = null;
  }

  start() {
    if (this.stopped) return;
    const url = gatewayWsUrl(EVENTS_PATH, location.href);
    let ws;
    try {
      ws = new WebSocket(url, [EVENTS_PROTOCOL]);
    } catch {
      this.unavailable();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.addEventListener("open", () => {
      opened = true;
      this.everOpened = true;
      this.retries = 0;
      ws.send(JSON.stringify({ token: this.token, viewer: this.viewer }));
    });
    ws.addEventListener("message", (e) => this.onMessage(e.data));
    ws.addEventListener("close", () => {
      if (this.ws === ws) this.ws = null;
      if (this.stopped) return;
      if (!opened && !this.everOpened) {
        this.unavailable();
      } else if (this.retries < 5) {
        this.retries++;
        this.timer = setTimeout(() => this.start(), 1000 * this.retries);
      }
    });
  }

  onMessage(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg.type === "role" && (!msg.viewer || msg.viewer === this.viewer)) {
      this.onRole(msg.role, msg.controller || null, typeof msg.mayControl === "boolean" ? msg.mayControl : null);
    } else if (msg.type === "role") {
      // someone else's role changed: still tells us who controls now
      this.onRole(null, msg.controller || null, null);
    } else if (msg.type === "queue" && msg.viewer === this.viewer) {
      this.onQueue(queueFromEvent(msg));
    } else if (msg.type === "ended") {
      this.stop(); // the gateway closes this channel next; nothing to reconnect to
      this.onEnded(msg.reason || "");
    }
  }

  unavailable() {
    if (this.stopped) return;
    this.stopped = true;
    this.onUnavailable();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) {
      this.ws.close(1000);
      this.ws = null;
    }
  }
}
