package io.vncgate.gateway.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vncgate.gateway.failure.GatewayException;
import io.vncgate.gateway.failure.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API's OpenAPI 3.1 document (the resource {@code openapi.json} beside this class): served at
 * {@code GET /api/v1/openapi.json} and the contract every {@code /api/v1} request is validated
 * against before its handler runs. A request that does not fit is a 400 whose words name the field
 * and what it must be (the property's {@code description} in the document).
 *
 * <p>An operation whose only input is a JSON body ({@code POST /api/v1/sessions}, every viewer's
 * ticket) is checked on the caller's thread with its body's schema validator, made once: vertx-openapi's
 * {@link RequestValidator} builds a new schema validator per request (a copy of the document's whole
 * schema table) on a worker thread, which was the largest single cost of issuing a ticket
 * (docs/performance.md, "Admitting idle viewers"). The schema and the words are the same either way.
 */
public final class ApiDocument {
  public static final String PATH = "/api/v1/openapi.json";
  static final String RESOURCE = "openapi.json";

  private static final JsonObject DOCUMENT = load();
  private static final List<Template> TEMPLATES = templates(DOCUMENT);

  private Future<RequestValidator> validator;
  /** operationId → its body's validator, for operations with a JSON body and no parameters; null until the contract loaded. */
  private volatile Map<String, Validator> bodyValidators;

  /** The document as shipped (servers: "/"), a copy. */
  public static JsonObject document() {
    return DOCUMENT.copy();
  }

  /**
   * The document as vertx-openapi 5.0 takes it: that version refuses media types other than JSON,
   * {@code vnd.*+json}, multipart and text, so the problem replies' {@code application/problem+json}
   * is read as {@code application/json} (same schema; the served document keeps the real type).
   */
  public static JsonObject forValidation(JsonObject doc) {
    return new JsonObject(doc.encode().replace("\"" + Json.PROBLEM_TYPE + "\":", "\"application/json\":"));
  }

  private static JsonObject load() {
    try (InputStream in = ApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("the resource " + RESOURCE + " is missing from the gateway's jar");
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * GET /api/v1/openapi.json: the document; under a base path ({@code server.base-path}) its server
   * is that path. At the root it has none (OpenAPI's default server is {@code /}; vertx-openapi's
   * loader takes only absolute server URLs, and the gateway does not know its public one).
   */
  void serve(RoutingContext ctx) {
    String mount = ctx.mountPoint();
    JsonObject doc = document();
    if (mount != null && !mount.isEmpty() && !mount.equals("/")) {
      doc.put("servers", new JsonArray().add(new JsonObject().put("url", mount.replaceAll("/+$", ""))));
    }
    Json.reply(ctx, 200, doc);
  }

  /**
   * Before the API's handlers: a request whose operation is in the document and whose body is a
   * JSON object is validated; a body that is empty or no JSON object is left to the handler, whose
   * words say what body it expects.
   */
  void validate(RoutingContext ctx) {
    String path = relativePath(ctx);
    Match match = find(ctx.request().method().name(), path);
    if (match == null) {
      ctx.next(); // not an operation of the document: the router answers (404, 405)
      return;
    }
    JsonObject body = Json.body(ctx);
    Map<String, RequestParameter> pathParams = new HashMap<>();
    match.params.forEach((k, v) -> pathParams.put(k, new RequestParameterImpl(v)));
    RequestParameter bodyParam = body == null ? null : new RequestParameterImpl(ctx.body().buffer());
    if (body == null && match.template.hasBody) {
      ctx.next();
      return;
    }
    Map<String, Validator> bodies = bodyValidators;
    Validator quick = bodies == null || body == null ? null : bodies.get(match.template.operationId);
    if (quick != null) {
      // tens of microseconds for a ticket's body, at most 64 KiB (ApiRoutes' BodyHandler), already
      // parsed on this event loop: no hop to a worker and back
      OutputUnit result;
      try {
        result = quick.validate(body);
      } catch (SchemaException e) {
        ctx.fail(e); // the document's schema is broken: a failure of the gateway (500, logged)
        return;
      }
      if (Boolean.TRUE.equals(result.getValid())) {
        ctx.next();
      } else {
        ctx.fail(new GatewayException(Status.BAD_REQUEST, words(match.template, body, result)));
      }
      return;
    }
    var request = new ValidatableRequestImpl(Map.of(), Map.of(), pathParams, Map.of(), bodyParam,
        body == null ? null : "application/json");
    validator(ctx.vertx()).compose(v -> v.validate(request, match.template.operationId)).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.next();
      } else if (ar.cause() instanceof SchemaValidationException e) {
        ctx.fail(new GatewayException(Status.BAD_REQUEST, words(match.template, body, e.getOutputUnit())));
      } else if (ar.cause() instanceof ValidatorException e) {
        ctx.fail(new GatewayException(Status.BAD_REQUEST, "the request does not fit " + match.template.method + " "
            + match.template.path + " (see " + PATH + "): " + e.getMessage()));
      } else {
        ctx.fail(ar.cause()); // the document did not load: a failure of the gateway (500, logged)
      }
    });
  }

  private synchronized Future<RequestValidator> validator(Vertx vertx) {
    if (validator == null) {
      validator = OpenAPIContract.from(vertx, forValidation(DOCUMENT)).map(c -> {
        bodyValidators = bodyValidators(c);
        return RequestValidator.create(vertx, c);
      });
    }
    return validator;
  }

  /**
   * The body validators of the operations whose whole input is one JSON body (no path, query,
   * header or cookie parameters, one media type): those are checked without vertx-openapi's
   * per-request machinery. Others keep it.
   */
  public static Map<String, Validator> bodyValidators(OpenAPIContract contract) {
    Map<String, Validator> out = new HashMap<>();
    for (Operation op : contract.operations()) {
      if (!op.getParameters().isEmpty() || op.getRequestBody() == null) continue;
      Map<String, MediaType> content = op.getRequestBody().getContent();
      MediaType json = content.get(MediaType.APPLICATION_JSON);
      if (content.size() != 1 || json == null) continue;
      out.put(op.getOperationId(), contract.getSchemaRepository().validator(json.getSchema()));
    }
    return Map.copyOf(out);
  }

  /** The path below the base path the router is mounted under. */
  private static String relativePath(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String mount = ctx.mountPoint();
    if (mount != null && !mount.equals("/") && path.startsWith(mount)) {
      path = path.substring(mount.endsWith("/") ? mount.length() - 1 : mount.length());
    }
    return path;
  }

  /**
   * The words of a body that does not fit: per field, {@code "role" must be "control" or "view"}
   * or {@code "target" is required: a target id such as "static/lab1"}, from the property's
   * description in the document.
   */
  static String words(Template op, JsonObject body, OutputUnit result) {
    JsonObject schema = op.bodySchema;
    JsonObject props = schema == null ? new JsonObject() : schema.getJsonObject("properties", new JsonObject());
    Set<String> said = new LinkedHashSet<>();
    for (OutputUnit e : leaves(result)) {
      String keyword = e.getKeywordLocation() == null ? "" : e.getKeywordLocation();
      String instance = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().replaceFirst("^#", "");
      if (keyword.endsWith("/required") && (instance.isEmpty() || instance.equals("/")) && schema != null) {
        for (Object name : schema.getJsonArray("required", new JsonArray())) {
          if (body != null && !body.containsKey((String) name)) {
            said.add("\"" + name + "\" is required: " + describe(props, (String) name));
          }
        }
      } else if (instance.startsWith("/") && instance.length() > 1) {
        String field = instance.substring(1).replace("~1", "/").replace("~0", "~");
        String top = field.contains("/") ? field.substring(0, field.indexOf('/')) : field;
        said.add("\"" + field + "\" must be " + describe(props, top));
      }
    }
    if (said.isEmpty()) {
      said.add("the body does not fit " + op.method + " " + op.path + " (see " + PATH + ")");
    }
    return String.join("; ", said);
  }

  private static String describe(JsonObject props, String name) {
    JsonObject p = props.getJsonObject(name);
    if (p == null) return "as " + PATH + " describes it";
    String d = p.getString("description");
    return d != null ? d : "a " + p.getValue("type", "value");
  }

  private static List<OutputUnit> leaves(OutputUnit unit) {
    List<OutputUnit> out = new ArrayList<>();
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      if (unit.getError() != null) out.add(unit);
      return out;
    }
    for (OutputUnit e : unit.getErrors()) out.addAll(leaves(e));
    return out;
  }

  record Template(String method, String path, String operationId, Pattern exact, Pattern slashes, List<String> names,
      boolean hasBody, JsonObject bodySchema) {}

  record Match(Template template, Map<String, String> params) {}

  /** The operation of {@code method} and {@code path} (a path parameter may hold slashes, as target ids do). */
  static Match find(String method, String path) {
    for (boolean slashes : new boolean[] {false, true}) {
      for (Template t : TEMPLATES) {
        if (!t.method.equals(method)) continue;
        Matcher m = (slashes ? t.slashes : t.exact).matcher(path);
        if (m.matches()) {
          Map<String, String> params = new HashMap<>();
          for (int i = 0; i < t.names.size(); i++) params.put(t.names.get(i), m.group(i + 1));
          return new Match(t, params);
        }
      }
    }
    return null;
  }

  private static List<Template> templates(JsonObject doc) {
    List<Template> out = new ArrayList<>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonObject op = item.getJsonObject(method);
        List<String> names = new ArrayList<>();
        StringBuilder exact = new StringBuilder();
        StringBuilder slashes = new StringBuilder();
        Matcher m = Pattern.compile("\\{([^}]+)}").matcher(path);
        int last = 0;
        while (m.find()) {
          exact.append(Pattern.quote(path.substring(last, m.start()))).append("([^/]+)");
          slashes.append(Pattern.quote(path.substring(last, m.start()))).append("(.+)");
          names.add(m.group(1));
          last = m.end();
        }
        exact.append(Pattern.quote(path.substring(last)));
        slashes.append(Pattern.quote(path.substring(last)));
        JsonObject body = op.getJsonObject("requestBody");
        JsonObject schema = body == null ? null : resolve(doc,
            body.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema"));
        out.add(new Template(method.toUpperCase(), path, op.getString("operationId"), Pattern.compile(exact.toString()),
            Pattern.compile(slashes.toString()), names, body != null, schema));
      }
    }
    return out;
  }

  private static JsonObject resolve(JsonObject doc, JsonObject schema) {
    String ref = schema.getString("$ref");
    if (ref == null) return schema;
    JsonObject at = doc;
    for (String part : ref.substring(2).split("/")) at = at.getJsonObject(part);
    return at;
  }
}
