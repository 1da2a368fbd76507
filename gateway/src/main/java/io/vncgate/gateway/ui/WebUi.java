package io.vncgate.gateway.ui;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vncgate.gateway.config.GatewayConfig;
import java.net.URI;
import java.util.List;
import java.util.function.Consumer;

/**
 * The browser viewer (the {@code vncgate-webui} jar: our page plus noVNC's core) served from
 * {@code /}, with security headers on every page and script: a Content-Security-Policy that allows
 * only this origin and no inline script or style, no framing, no referrer, no MIME sniffing.
 *
 * <p>Mount it after the API and WebSocket routes (it passes {@code /api/} and {@code /ws/} on, and
 * files it does not have fall through to the gateway's JSON 404).
 */
public final class WebUi {
  /** Where the webui jar keeps its files on the classpath. */
  public static final String WEB_ROOT = "META-INF/resources/vncgate";

  /**
   * 'self' in connect-src covers the page's own ws:/wss: origin (CSP Level 3). data: images are
   * noVNC's cursor and its Tight-JPEG decoding; blob: its screenshots.
   */
  public static final String CONTENT_SECURITY_POLICY = String.join("; ",
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "font-src 'self'",
      "connect-src 'self'",
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'");

  private WebUi() {}

  /** Adds the UI routes; usable as one of {@code Gateway.start}'s extra routes. */
  public static void mount(Router router) {
    mount(router, List.of());
  }

  /**
   * The routes for a gateway whose page signs in at an identity provider: its token endpoint is
   * fetched by the page, so the issuer's origin joins {@code connect-src} (see {@link #connectOrigins}).
   */
  public static Consumer<Router> mountFor(GatewayConfig config) {
    List<String> origins = connectOrigins(config);
    return router -> mount(router, origins);
  }

  /** The identity provider's origin when the page offers sign-in ({@code auth.oidc.client-id}), else none. */
  public static List<String> connectOrigins(GatewayConfig config) {
    GatewayConfig.RemoteKeys remote = config.jwt() == null ? null : config.jwt().remote();
    if (remote == null || remote.signIn() == null || remote.discoveryIssuer() == null) return List.of();
    URI issuer = remote.discoveryIssuer();
    return List.of(issuer.getScheme() + "://" + issuer.getRawAuthority());
  }

  private static void mount(Router router, List<String> connectOrigins) {
    String policy = connectOrigins.isEmpty() ? CONTENT_SECURITY_POLICY
        : CONTENT_SECURITY_POLICY.replace("connect-src 'self'", "connect-src 'self' " + String.join(" ", connectOrigins));
    StaticHandler files = StaticHandler.create(WEB_ROOT)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        .setIncludeHidden(false)
        .setCachingEnabled(false)
        .setSendVaryHeader(false);
    router.routeWithRegex("^/(?!api/|ws/).*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(ctx -> headers(ctx, policy)).handler(files);
  }

  private static void headers(RoutingContext ctx, String policy) {
    ctx.response().headers()
        .set("Content-Security-Policy", policy)
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Frame-Options", "DENY")
        .set("Cross-Origin-Opener-Policy", "same-origin")
        .set("Cross-Origin-Resource-Policy", "same-origin")
        // the files change only with the gateway: revalidate rather than trust a stale copy
        .set("Cache-Control", "no-cache");
    ctx.next();
  }
}
