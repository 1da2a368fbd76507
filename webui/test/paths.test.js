import assert from "node:assert/strict";
import { test } from "node:test";
import { gatewayUrl, gatewayWsUrl } from "../src/app/paths.js";

test("at the root of its origin the page asks the gateway's own paths", () => {
  assert.equal(gatewayUrl("/api/v1/targets", "http://127.0.0.1:6080/#token=x&target=a"), "http://127.0.0.1:6080/api/v1/targets");
  assert.equal(gatewayWsUrl("/ws/v1/connect", "http://127.0.0.1:6080/"), "ws://127.0.0.1:6080/ws/v1/connect");
  assert.equal(gatewayWsUrl("/ws/v1/events", "https://gw.example/?x=1#token=t"), "wss://gw.example/ws/v1/events");
});

test("under jupyter-server-proxy's prefix the page asks under the prefix, which the proxy strips", () => {
  const page = "https://hub.example/user/alice/vncgate/#token=t&target=desktop%2Falice";
  assert.equal(gatewayUrl("/api/v1/sessions", page), "https://hub.example/user/alice/vncgate/api/v1/sessions");
  assert.equal(gatewayWsUrl("/ws/v1/connect", page), "wss://hub.example/user/alice/vncgate/ws/v1/connect");
});

test("under server.base-path (a proxy that keeps the prefix) the page asks under the prefix", () => {
  for (const page of ["https://vnc.example.com/vnc/#target=a", "https://vnc.example.com/vnc/index.html", "https://vnc.example.com/vnc/?x=1"]) {
    assertEqualUrls(page);
  }
  // the API's websocket.path is relative to the base path, so it lands under the prefix too
  assert.equal(gatewayWsUrl("/ws/v1/connect", "http://127.0.0.1:8080/tools/vnc/"), "ws://127.0.0.1:8080/tools/vnc/ws/v1/connect");
});

function assertEqualUrls(page) {
  assert.equal(gatewayUrl("/api/v1/targets", page), "https://vnc.example.com/vnc/api/v1/targets", page);
  assert.equal(gatewayWsUrl("/ws/v1/connect", page), "wss://vnc.example.com/vnc/ws/v1/connect", page);
  assert.equal(gatewayWsUrl("/ws/v1/events", page), "wss://vnc.example.com/vnc/ws/v1/events", page);
}
