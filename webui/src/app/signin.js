// Sign-in at the identity provider from the page: OAuth 2.0 authorization code with PKCE (RFC 6749
// §4.1, RFC 7636 with S256) as a public client. The gateway says whether it is offered
// (GET /api/v1/auth/config: the provider's endpoints, the client id, the scopes). The page sends
// the browser to the authorization endpoint with a random state and the verifier's S256 challenge,
// both kept in this tab's sessionStorage; the provider sends it back to the page's own address
// with ?code=&state= (or ?error=), which the page removes from the address bar at once; the code
// is exchanged with a fetch to the token endpoint (the provider must allow the page's origin:
// CORS, Keycloak's "web origins"), and the access token becomes the page's token, kept where a
// pasted one is (sessionStorage) and used the same way. No token is ever put in a URL.
import { t } from "./i18n.js";
import { gatewayUrl } from "./paths.js";

/** Where the pending sign-in (state, verifier, redirect URI, token endpoint...) waits for the provider's answer. */
export const PENDING_KEY = "vncgate.signin";
/** A pending sign-in older than this is not finished (the provider's codes live about a minute). */
export const PENDING_MAX_MS = 10 * 60 * 1000;

/** A sign-in failure in words for the page (message), with the OAuth error code when there is one. */
export class SignInError extends Error {
  constructor(message, code = null) {
    super(message);
    this.code = code;
  }
}

export function base64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A random base64url string of {@code bytes} random bytes (32 bytes: a 43-character PKCE verifier). */
export function randomString(bytes = 32, random = (a) => crypto.getRandomValues(a)) {
  return base64url(random(new Uint8Array(bytes)));
}

/** The S256 code challenge of a verifier: BASE64URL(SHA-256(ASCII(verifier))). */
export async function s256(verifier, subtle = globalThis.crypto && globalThis.crypto.subtle) {
  if (!subtle) {
    throw new SignInError(t("signin.err.noCrypto"));
  }
  const digest = await subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The page's own address without query and fragment: the redirect URI registered at the provider. */
export function redirectUriOf(pageHref) {
  const u = new URL(pageHref);
  return u.origin + u.pathname;
}

/** "Sign in with <issuer host>". */
export function buttonText(config) {
  let host = "";
  try {
    host = new URL(config.issuer || config.authorizationEndpoint).host;
  } catch {
    host = t("signin.yourIdp");
  }
  return t("signin.buttonWith", { host });
}

/** The authorization request's URL (the endpoint may carry its own query: its parameters are kept). */
export function authorizationUrl(config, { state, challenge, redirectUri }) {
  const u = new URL(config.authorizationEndpoint);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("client_id", config.clientId);
  u.searchParams.set("redirect_uri", redirectUri);
  u.searchParams.set("scope", (config.scopes && config.scopes.length ? config.scopes : ["openid"]).join(" "));
  u.searchParams.set("state", state);
  u.searchParams.set("code_challenge", challenge);
  u.searchParams.set("code_challenge_method", "S256");
  return u.href;
}

/**
 * The provider's answer in the page's query: {code, state} or {error, description, state}; null
 * when the query holds no answer (a page opened normally).
 */
export function readAnswer(search) {
  const q = new URLSearchParams(search || "");
  if (q.has("error")) {
    return { error: q.get("error"), description: q.get("error_description") || "", state: q.get("state") };
  }
  if (q.has("code")) return { code: q.get("code"), state: q.get("state") };
  return null;
}

/** The query without the provider's answer ("" or "?other=1"), for history.replaceState. */
export function queryWithoutAnswer(search) {
  const q = new URLSearchParams(search || "");
  for (const k of ["code", "state", "error", "error_description", "error_uri", "session_state", "iss"]) q.delete(k);
  const s = q.toString();
  return s ? "?" + s : "";
}

/**
 * Makes and keeps the pending sign-in; returns the URL to send the browser to.
 * @param storage sessionStorage (this tab only)
 */
export async function begin(config, pageHref, storage, { random, subtle, now = Date.now() } = {}) {
  const verifier = randomString(32, random);
  const state = randomString(16, random);
  const redirectUri = redirectUriOf(pageHref);
  const challenge = await s256(verifier, subtle);
  const pending = {
    state, verifier, redirectUri, at: now,
    tokenEndpoint: config.tokenEndpoint, clientId: config.clientId,
    // where to come back to: the desktop the page showed (the fragment holds no token here)
    fragment: new URL(pageHref).hash,
  };
  storage.setItem(PENDING_KEY, JSON.stringify(pending));
  return authorizationUrl(config, { state, challenge, redirectUri });
}

/**
 * Checks the provider's answer against this tab's pending sign-in and takes the pending one out
 * (it is good for one answer). Returns the pending sign-in; throws SignInError in words.
 */
export function checkAnswer(answer, storage, now = Date.now()) {
  const raw = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  let pending = null;
  try {
    pending = raw ? JSON.parse(raw) : null;
  } catch {
    pending = null;
  }
  if (!pending || typeof pending.state !== "string") {
    throw new SignInError(t("signin.err.noPending"), "no_pending");
  }
  if (answer.state !== pending.state) {
    throw new SignInError(t("signin.err.stateMismatch"), "state_mismatch");
  }
  if (answer.error) {
    const detail = answer.error + (answer.description ? ": " + answer.description : "");
    if (answer.error === "access_denied") {
      throw new SignInError(t("signin.err.denied", { detail }), answer.error);
    }
    throw new SignInError(t("signin.err.refused", { detail }), answer.error);
  }
  if (now - pending.at > PENDING_MAX_MS) {
    throw new SignInError(t("signin.err.tooLong", { minutes: PENDING_MAX_MS / 60000 }), "expired");
  }
  return pending;
}

/** Exchanges the code at the token endpoint (fetch, CORS); returns the page's token or throws SignInError. */
export async function exchange(pending, code, fetchFn = fetch, now = Date.now()) {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: pending.redirectUri,
    client_id: pending.clientId,
    code_verifier: pending.verifier,
  });
  const where = new URL(pending.tokenEndpoint).origin;
  let response;
  try {
    response = await fetchFn(pending.tokenEndpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: body.toString(),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch (e) {
    throw new SignInError(t("signin.err.network", { where, error: e.message }), "network");
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = json && typeof json.error === "string" ? json.error : "HTTP " + response.status;
    const detail = error + (json && typeof json.error_description === "string" ? ": " + json.error_description : "");
    throw new SignInError(t("signin.err.exchange", { detail }), error);
  }
  return tokenFrom(json, now);
}

/**
 * The token the page uses with the gateway: the access token, which is what a provider issues for
 * calling an API (the gateway checks its audience, auth.oidc.audience). The ID token is for the
 * page itself (its audience is the client id) and is not sent anywhere.
 */
export function tokenFrom(json, now = Date.now()) {
  const token = json && typeof json.access_token === "string" ? json.access_token : "";
  if (token.split(".").length !== 3) {
    throw new SignInError(t("signin.err.noJwt"), "no_jwt");
  }
  const exp = claimsOf(token).exp;
  if (typeof exp === "number" && exp * 1000 <= now) {
    throw new SignInError(t("signin.err.expiredToken"), "expired_token");
  }
  return token;
}

function claimsOf(token) {
  try {
    const b64 = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)))) || {};
  } catch {
    return {};
  }
}

/** What the gateway offers: the sign-in config, or null (none offered, or the gateway could not say). */
export async function fetchConfig(pageHref, fetchFn = fetch) {
  try {
    const r = await fetchFn(gatewayUrl("/api/v1/auth/config", pageHref), {
      headers: { Accept: "application/json" }, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
    });
    const json = await r.json().catch(() => null);
    if (!r.ok) return { unavailable: json && typeof json.error === "string" ? json.error : "HTTP " + r.status };
    return json && json.signIn && json.signIn.authorizationEndpoint ? json.signIn : null;
  } catch {
    return null;
  }
}
