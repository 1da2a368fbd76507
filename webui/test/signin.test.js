import assert from "node:assert/strict";
import { test } from "node:test";
import {
  PENDING_KEY, PENDING_MAX_MS, SignInError, authorizationUrl, base64url, begin, buttonText, checkAnswer, exchange,
  queryWithoutAnswer, randomString, readAnswer, redirectUriOf, s256, tokenFrom,
} from "../src/app/signin.js";

class Storage {
  constructor() {
    this.m = new Map();
  }
  getItem(k) {
    return this.m.has(k) ? this.m.get(k) : null;
  }
  setItem(k, v) {
    this.m.set(k, String(v));
  }
  removeItem(k) {
    this.m.delete(k);
  }
}

const CONFIG = {
  issuer: "https://idp.example:8443/realms/test",
  authorizationEndpoint: "https://idp.example:8443/realms/test/protocol/openid-connect/auth",
  tokenEndpoint: "https://idp.example:8443/realms/test/protocol/openid-connect/token",
  clientId: "vncgate-web",
  scopes: ["openid", "profile"],
};

function jwt(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return part({ alg: "RS256", kid: "k" }) + "." + part(claims) + ".c2ln";
}

test("the S256 challenge of RFC 7636 appendix B's verifier is the RFC's", async () => {
  assert.equal(await s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
});

test("without WebCrypto (a plain http page elsewhere than localhost) the page says why it cannot sign in", async () => {
  await assert.rejects(s256("x".repeat(43), null), (e) => e instanceof SignInError && /https/.test(e.message));
});

test("verifiers are 43 base64url characters from 32 random bytes, no padding", () => {
  const fixed = (a) => a.fill(0xfb);
  const v = randomString(32, fixed);
  assert.equal(v.length, 43);
  assert.match(v, /^[A-Za-z0-9_-]+$/);
  assert.equal(base64url(new Uint8Array([0xfb, 0xff])), "-_8");
  const a = randomString();
  const b = randomString();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
});

test("the redirect URI is the page's own address without query and fragment", () => {
  assert.equal(redirectUriOf("https://gw.example/vncgate/index.html?x=1#target=a"), "https://gw.example/vncgate/index.html");
  assert.equal(redirectUriOf("http://127.0.0.1:6080/#token=t"), "http://127.0.0.1:6080/");
  assert.equal(buttonText(CONFIG), "Sign in with idp.example:8443");
});

test("the authorization request carries code, client, redirect, scopes, state and the S256 challenge", () => {
  const u = new URL(authorizationUrl({ ...CONFIG, authorizationEndpoint: CONFIG.authorizationEndpoint + "?kc_idp_hint=x" },
    { state: "st", challenge: "ch", redirectUri: "https://gw.example/" }));
  assert.equal(u.origin + u.pathname, CONFIG.authorizationEndpoint);
  assert.equal(u.searchParams.get("kc_idp_hint"), "x");
  assert.equal(u.searchParams.get("response_type"), "code");
  assert.equal(u.searchParams.get("client_id"), "vncgate-web");
  assert.equal(u.searchParams.get("redirect_uri"), "https://gw.example/");
  assert.equal(u.searchParams.get("scope"), "openid profile");
  assert.equal(u.searchParams.get("state"), "st");
  assert.equal(u.searchParams.get("code_challenge"), "ch");
  assert.equal(u.searchParams.get("code_challenge_method"), "S256");
});

test("begin keeps state and verifier in the tab's storage and sends their challenge, never the verifier", async () => {
  const storage = new Storage();
  const url = new URL(await begin(CONFIG, "https://gw.example/#target=static%2Fa", storage, { now: 1000 }));
  const pending = JSON.parse(storage.getItem(PENDING_KEY));
  assert.equal(url.searchParams.get("state"), pending.state);
  assert.equal(url.searchParams.get("code_challenge"), await s256(pending.verifier));
  assert.ok(!url.href.includes(pending.verifier));
  assert.equal(pending.redirectUri, "https://gw.example/");
  assert.equal(pending.fragment, "#target=static%2Fa");
  assert.equal(pending.tokenEndpoint, CONFIG.tokenEndpoint);
});

test("the provider's answer is read from the query and taken out of it", () => {
  assert.deepEqual(readAnswer("?code=c1&state=s1"), { code: "c1", state: "s1" });
  assert.deepEqual(readAnswer("?error=access_denied&error_description=no&state=s1"),
    { error: "access_denied", description: "no", state: "s1" });
  assert.equal(readAnswer(""), null);
  assert.equal(readAnswer("?x=1"), null);
  assert.equal(queryWithoutAnswer("?code=c1&state=s1&session_state=z&iss=i"), "");
  assert.equal(queryWithoutAnswer("?keep=1&code=c1&state=s1"), "?keep=1");
});

test("a state that is not this tab's is refused in words, and the pending sign-in is used up", async () => {
  const storage = new Storage();
  await begin(CONFIG, "https://gw.example/", storage, { now: 1000 });
  assert.throws(() => checkAnswer({ code: "c", state: "forged" }, storage, 2000),
    (e) => e.code === "state_mismatch" && /state mismatch/.test(e.message));
  assert.equal(storage.getItem(PENDING_KEY), null);
  assert.throws(() => checkAnswer({ code: "c", state: "forged" }, storage, 2000), (e) => e.code === "no_pending");
});

test("access_denied and other provider errors become words; a stale pending sign-in is dropped", async () => {
  const storage = new Storage();
  await begin(CONFIG, "https://gw.example/", storage, { now: 1000 });
  const { state } = JSON.parse(storage.getItem(PENDING_KEY));
  assert.throws(() => checkAnswer({ error: "access_denied", description: "the user denied it", state }, storage, 2000),
    (e) => e.code === "access_denied" && /access was denied/.test(e.message) && /the user denied it/.test(e.message));
  await begin(CONFIG, "https://gw.example/", storage, { now: 1000 });
  const p2 = JSON.parse(storage.getItem(PENDING_KEY));
  assert.throws(() => checkAnswer({ code: "c", state: p2.state }, storage, 1000 + PENDING_MAX_MS + 1), (e) => e.code === "expired");
  await begin(CONFIG, "https://gw.example/", storage, { now: 1000 });
  const p3 = JSON.parse(storage.getItem(PENDING_KEY));
  assert.equal(checkAnswer({ code: "c", state: p3.state }, storage, 2000).verifier, p3.verifier);
});

test("the exchange posts the code and verifier form-encoded and keeps the access token", async () => {
  const pending = { state: "s", verifier: "v".repeat(43), redirectUri: "https://gw.example/", tokenEndpoint: CONFIG.tokenEndpoint,
    clientId: "vncgate-web", at: 0 };
  const access = jwt({ sub: "alice", aud: "vncgate", exp: 2000 });
  let seen;
  const ok = async (url, init) => {
    seen = { url, init };
    return { ok: true, status: 200, json: async () => ({ access_token: access, id_token: jwt({ aud: "vncgate-web" }), token_type: "Bearer" }) };
  };
  assert.equal(await exchange(pending, "the-code", ok, 1000 * 1000), access);
  assert.equal(seen.url, CONFIG.tokenEndpoint);
  assert.equal(seen.init.method, "POST");
  assert.equal(seen.init.credentials, "omit");
  const form = new URLSearchParams(seen.init.body);
  assert.equal(form.get("grant_type"), "authorization_code");
  assert.equal(form.get("code"), "the-code");
  assert.equal(form.get("code_verifier"), pending.verifier);
  assert.equal(form.get("redirect_uri"), "https://gw.example/");
  assert.equal(form.get("client_id"), "vncgate-web");
});

test("token endpoint failures are words: invalid_grant, unreachable (CORS), no JWT, already expired", async () => {
  const pending = { verifier: "v".repeat(43), redirectUri: "https://gw.example/", tokenEndpoint: CONFIG.tokenEndpoint, clientId: "c" };
  const refused = async () => ({ ok: false, status: 400,
    json: async () => ({ error: "invalid_grant", error_description: "PKCE verification failed" }) });
  await assert.rejects(exchange(pending, "c", refused), (e) => e.code === "invalid_grant" && /refused to finish the sign-in/.test(e.message)
    && /PKCE verification failed/.test(e.message));
  const down = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(exchange(pending, "c", down), (e) => e.code === "network" && /web origins \(CORS\)/.test(e.message)
    && e.message.includes("https://idp.example:8443"));
  assert.throws(() => tokenFrom({ access_token: "opaque-123" }), (e) => e.code === "no_jwt");
  assert.throws(() => tokenFrom({ access_token: jwt({ exp: 10 }) }, 20 * 1000), (e) => e.code === "expired_token");
});
