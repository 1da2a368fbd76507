package io.vncgate.gateway.ui;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vncgate.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger log = LoggerFactory.getLogger(WebUi.class);
  /** The web root's files, listed once, at the first mount (null: they could not be). */
  private static final class Listing {
    static final Set<String> FILES = listFiles(WebUi.class.getClassLoader());
  }

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
    Set<String> known = Listing.FILES;
    router.routeWithRegex("^/(?!api/|ws/).*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
      // a path the web root does not hold goes on to the JSON 404 at once: looking it up in the jar
      // costs some 70 ms of CPU (Vert.x's file resolver), which anyone could ask for again and again
      if (known != null && !known.contains(relative(ctx))) {
        ctx.next();
        return;
      }
      headers(ctx, policy);
      files.handle(ctx);
    });
  }

  /** The request's path under the web root, {@code index.html} for a directory's. */
  private static String relative(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String mount = ctx.mountPoint();
    if (mount != null && path.startsWith(mount)) path = path.substring(mount.endsWith("/") ? mount.length() - 1 : mount.length());
    if (path.startsWith("/")) path = path.substring(1);
    return path.isEmpty() || path.endsWith("/") ? path + "index.html" : path;
  }

  /**
   * The files of the web root, paths relative to it, listed once from where the class loader finds
   * its {@code index.html} (the gateway's jar, or the webui module's folder in a build); null, and
   * every path is looked up, if they cannot be listed.
   */
  static Set<String> listFiles(ClassLoader loader) {
    URL index = loader.getResource(WEB_ROOT + "/index.html");
    if (index == null) return Set.of();
    try {
      Set<String> names = new HashSet<>();
      if (index.getProtocol().equals("jar")) {
        JarURLConnection c = (JarURLConnection) index.openConnection();
        try (JarFile jar = new JarFile(Path.of(c.getJarFileURL().toURI()).toFile())) {
          String prefix = WEB_ROOT + "/";
          jar.stream().filter(e -> !e.isDirectory() && e.getName().startsWith(prefix))
              .forEach(e -> names.add(e.getName().substring(prefix.length())));
        }
      } else if (index.getProtocol().equals("file")) {
        Path root = Path.of(index.toURI()).getParent();
        try (Stream<Path> walk = Files.walk(root)) {
          walk.filter(Files::isRegularFile).forEach(f -> names.add(root.relativize(f).toString().replace('\\', '/')));
        }
      } else {
        log.warn("the web page's files are at {}, which cannot be listed: every path is looked up", index);
        return null;
      }
      return Set.copyOf(names);
    } catch (IOException | URISyntaxException | RuntimeException e) {
      log.warn("could not list the web page's files ({}): every path is looked up", e.toString());
      return null;
    }
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
  }
}
