package io.vncgate.testbeds.pve;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Request parameters as PVE reads them: the query string, plus a form or JSON body on POST/PUT
 * (PVE::APIServer::AnyEvent::extract_params), and its boolean type check.
 */
final class PveParams {

  private PveParams() {
  }

  static final class ParamException extends Exception {
    private final JsonObject errors;

    ParamException(JsonObject errors) {
      super("Parameter verification failed.", null, false, false);
      this.errors = errors;
    }

    JsonObject errors() {
      return errors;
    }
  }

  static Boolean bool(Map<String, String> params, String name) throws ParamException {
    String value = params.get(name);
    if (value == null) {
      return null;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default -> throw new ParamException(new JsonObject().put(name,
          "type check ('boolean') failed - got '" + value + "'"));
    };
  }

  static Map<String, String> body(HttpServerRequest req, Buffer body) throws ParamException {
    String type = req.getHeader("Content-Type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      Map<String, String> out = new LinkedHashMap<>();
      try {
        JsonObject json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
        json.forEach(e -> out.put(e.getKey(), e.getValue() == null ? null
            : e.getValue() instanceof Boolean b ? (b ? "1" : "0") : String.valueOf(e.getValue())));
      } catch (DecodeException e) {
        throw new ParamException(new JsonObject().put("body", "invalid JSON: " + e.getMessage()));
      }
      return out;
    }
    return query(body.toString(StandardCharsets.UTF_8));
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("[&;]")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  /**
   * PVE's {@code additionalProperties => 0}: every parameter not in {@code allowed} (besides the
   * URI's {@code node} and {@code vmid}) is an error, as the method's schema is closed.
   */
  static JsonObject unknown(Map<String, String> params, Set<String> allowed) {
    JsonObject errors = new JsonObject();
    for (String name : params.keySet()) {
      if (!allowed.contains(name) && !name.equals("node") && !name.equals("vmid")) {
        errors.put(name, "property is not defined in schema and the schema does not allow additional properties");
      }
    }
    return errors;
  }

  /** An optional integer parameter within PVE's minimum and maximum, or an error in {@code errors}. */
  static void range(Map<String, String> params, String name, int min, int max, JsonObject errors) {
    String value = params.get(name);
    if (value == null) {
      return;
    }
    try {
      int n = Integer.parseInt(value);
      if (n < min) {
        errors.put(name, "value must have a minimum value of " + min);
      } else if (n > max) {
        errors.put(name, "value must have a maximum value of " + max);
      }
    } catch (NumberFormatException e) {
      errors.put(name, "type check ('integer') failed - got '" + value + "'");
    }
  }
}
