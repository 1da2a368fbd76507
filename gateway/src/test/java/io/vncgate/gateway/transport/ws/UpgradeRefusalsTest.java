package io.vncgate.gateway.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vncgate.gateway.transport.OnContext;
import io.vncgate.gateway.transport.StaleRouteException;
import io.vncgate.gateway.transport.TransportException;
import io.vncgate.gateway.transport.WebSocketConnector;
import io.vncgate.spi.Route;
import io.vncgate.spi.Route.WebSocket.Refusal;
import io.vncgate.spi.Route.WebSocket.Remedy;
import io.vncgate.testbeds.FreePorts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A refused WebSocket upgrade, against a real Vert.x server answering 401 or 403 and a server that
 * never answers: without the provider's words 401 and 403 are the route's standing credentials,
 * final (the operator must fix them); with them, the provider says which ones a fresh route cures
 * (a one-shot ticket: {@link StaleRouteException}) and in what words.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpgradeRefusalsTest {
  static final Map<Integer, Refusal> PROXMOX_LIKE = Map.of(
      401, new Refusal("the console ticket expired", Remedy.RESOLVE_AGAIN),
      403, new Refusal("the token lacks VM.Console", Remedy.OPERATOR),
      Route.WebSocket.NO_ANSWER, new Refusal("the console worker stopped waiting", Remedy.RESOLVE_AGAIN));

  Vertx vertx;
  Vertx serverVertx;
  OnContext on;
  UpstreamWsServer server;
  WebSocketConnector connector;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    serverVertx = Vertx.vertx();
    on = new OnContext(vertx.getOrCreateContext());
    server = new UpstreamWsServer(serverVertx, 1);
    // long enough for a busy machine: the timer would otherwise stand for an unanswered upgrade
    connector = new WebSocketConnector(vertx, Duration.ofSeconds(10));
  }

  @AfterEach
  void tearDown() throws Exception {
    connector.close().await(10, TimeUnit.SECONDS);
    server.close();
    vertx.close().await(10, TimeUnit.SECONDS);
    serverVertx.close().await(10, TimeUnit.SECONDS);
  }

  private TransportException failure(Route.WebSocket route) {
    return failure(connector, route);
  }

  private TransportException failure(WebSocketConnector with, Route.WebSocket route) {
    Exception e = assertThrows(Exception.class, () -> on.await(() -> with.connect(route)));
    return assertInstanceOf(TransportException.class, e.getCause());
  }

  private Route.WebSocket route(String url, Map<Integer, Refusal> refusals) {
    return new Route.WebSocket(URI.create(url), Map.of(), List.of("binary"), null, 0, refusals);
  }

  @Test
  void withoutTheProvidersWords401And403AreFinalAndOtherStatusesAreNot() {
    TransportException unauthorized = failure(route(server.url("/reject/401"), Map.of()));
    assertTrue(unauthorized.getMessage().startsWith("the target's WebSocket refused the credentials (HTTP 401"),
        unauthorized.getMessage());
    assertTrue(unauthorized.operatorMustFix(), "a wrong token is the operator's to fix");
    TransportException forbidden = failure(route(server.url("/reject/403"), Map.of()));
    assertTrue(forbidden.operatorMustFix(), "missing permissions are the operator's to fix");
    TransportException failed = failure(route(server.url("/reject/500"), Map.of()));
    assertFalse(failed.operatorMustFix(), "a failing endpoint may recover");
    assertFalse(failed instanceof StaleRouteException);
  }

  @Test
  void aStatusTheProviderCallsAStaleTicketIsRetryableInItsWords() {
    TransportException e = failure(route(server.url("/reject/401"), PROXMOX_LIKE));
    StaleRouteException stale = assertInstanceOf(StaleRouteException.class, e);
    assertEquals("the console ticket expired", stale.getMessage());
    assertFalse(stale.operatorMustFix());
  }

  @Test
  void aStatusTheProviderCallsTheOperatorsIsFinalInItsWords() {
    TransportException e = failure(route(server.url("/reject/403"), PROXMOX_LIKE));
    assertFalse(e instanceof StaleRouteException);
    assertEquals("the token lacks VM.Console", e.getMessage());
    assertTrue(e.operatorMustFix());
  }

  @Test
  void aStatusTheProviderDoesNotNameKeepsTheGatewaysWords() {
    TransportException e = failure(route(server.url("/reject/404"), PROXMOX_LIKE));
    assertTrue(e.getMessage().startsWith("the target has no WebSocket endpoint"), e.getMessage());
    assertFalse(e.operatorMustFix());
  }

  @Test
  void anUpgradeLeftUnansweredIsTheProvidersNoAnswer() throws Exception {
    WebSocketConnector quick = new WebSocketConnector(vertx, Duration.ofMillis(800));
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      TransportException e = failure(quick, route("ws://127.0.0.1:" + silent.getLocalPort() + "/", PROXMOX_LIKE));
      assertInstanceOf(StaleRouteException.class, e);
      assertEquals("the console worker stopped waiting", e.getMessage());
    } finally {
      quick.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRefusedTcpConnectIsNotAnUnansweredUpgrade() {
    TransportException e = failure(route("ws://127.0.0.1:" + FreePorts.next() + "/", PROXMOX_LIKE));
    assertFalse(e instanceof StaleRouteException, e.getMessage());
    assertEquals("connection refused", e.getMessage());
  }
}
