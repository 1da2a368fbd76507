package io.vncgate.testbeds.pve;

import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** pveproxy's authentication of one request (PVE::HTTPServer::auth_handler). */
final class PveAuthenticator {

  private static final Pattern API_TOKEN = Pattern.compile("^(.*)=(.*)$");

  /** Who a request runs as: a user ({@code alice@pve}) or a token ({@code vncgate@pve!gateway}). */
  record Auth(String user, boolean apiToken, PvePermissions permissions) {
  }

  private PveAuthenticator() {
  }

  static final class AuthException extends Exception {
    AuthException(String message) {
      super(message, null, false, false);
    }
  }

  /** pveproxy's auth_handler: cookie first, then a cookie in Authorization, then an API token. */
  static Auth authenticate(PveState state, HttpServerRequest req, String method) throws AuthException {
    String ticket = authValue(req.getHeader("Cookie"), "PVEAuthCookie");
    if (ticket == null) {
      ticket = authValue(req.getHeader("Authorization"), "PVEAuthCookie");
    }
    if (ticket == null) {
      String token = authValue(req.getHeader("Authorization"), "PVEAPIToken");
      if (token == null) {
        throw new AuthException("No ticket");
      }
      Matcher m = API_TOKEN.matcher(token);
      PveState.Principal principal = m.matches() ? state.tokens().get(m.group(1)) : null;
      if (principal == null || !principal.secret().equals(m.group(2))) {
        throw new AuthException("Authentication failed!");
      }
      return new Auth(m.group(1), true, principal.permissions());
    }
    String user = state.tickets().verifyLoginTicket(ticket, state.nowSeconds());
    PveState.Principal principal = user == null ? null : state.users().get(user);
    if (principal == null) {
      throw new AuthException("Authentication failed!");
    }
    if (!method.equals("GET")
        && !state.tickets().verifyCsrfToken(req.getHeader("CSRFPreventionToken"), user, state.nowSeconds())) {
      throw new AuthException("Permission denied - invalid csrf token");
    }
    return new Auth(user, false, principal.permissions());
  }

  /** PVE::APIServer::Formatter::extract_auth_value: {@code (^|\s)KEY(=| )([^;]*)}, URI-unescaped. */
  static String authValue(String header, String key) {
    if (header == null) {
      return null;
    }
    Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(key) + "(?:=| )([^;]*)").matcher(header);
    if (!m.find() || m.group(1).isEmpty()) {
      return null;
    }
    return URLDecoder.decode(m.group(1).replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
