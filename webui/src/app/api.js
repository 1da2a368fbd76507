// The gateway's REST API under /api/v1, called with the bearer token. Failures become
// ApiError {status, message}: status 0 when the gateway could not be reached at all.
import { t } from "./i18n.js";
import { gatewayUrl } from "./paths.js";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }

  /** The failure in the shape errors.js explains. */
  get failure() {
    return this.status === 0
      ? { source: "network", message: this.message }
      : { source: "http", status: this.status, message: this.message };
  }
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  async call(method, path, body) {
    const init = {
      method,
      headers: { Authorization: "Bearer " + this.token, Accept: "application/json" },
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(gatewayUrl(path, location.href), init);
    } catch (e) {
      throw new ApiError(0, t("api.unreachable", { host: location.host, error: e.message }));
    }
    let json = null;
    try {
      json = await response.json();
    } catch {
      // not JSON: keep null
    }
    if (!response.ok) {
      const message = json && typeof json.error === "string" ? json.error : "HTTP " + response.status + " " + response.statusText;
      throw new ApiError(response.status, message);
    }
    return json || {};
  }

  targets() {
    return this.call("GET", "/api/v1/targets").then((r) => r.targets || []);
  }

  /** Whether the target's VNC server answers through its route: {ok, banner, millis} or {ok: false, outcome, reason, error}. */
  checkTarget(id) {
    return this.call("GET", "/api/v1/targets/" + id.split("/").map(encodeURIComponent).join("/") + "/check");
  }

  /** role null: the token's highest role. */
  createSession(target, role) {
    return this.call("POST", "/api/v1/sessions", role ? { target, role } : { target });
  }

  /** The live sessions and their viewers (shared sessions; a 404 means this gateway has none). */
  sessions() {
    return this.call("GET", "/api/v1/sessions").then((r) => r.sessions || []);
  }

  takeControl(session, viewer) {
    return this.call("POST", "/api/v1/sessions/" + encodeURIComponent(session) + "/control", { viewer });
  }

  release(session, viewer) {
    return this.call("POST", "/api/v1/sessions/" + encodeURIComponent(session) + "/release", { viewer });
  }
}

/** A session's controller as {viewer, user} from the shapes the roster may use, or null. */
export function controllerOf(session) {
  if (!session) return null;
  const c = session.controller;
  if ("controller" in session && c == null) return null;
  if (c && typeof c === "object") return { viewer: c.viewer || c.id || null, user: c.user || null };
  if (typeof c === "string") {
    const v = (session.viewers || []).find((x) => x.id === c);
    return { viewer: c, user: v ? v.user : null };
  }
  const v = (session.viewers || []).find((x) => x.role === "control");
  return v ? { viewer: v.id, user: v.user } : null;
}
