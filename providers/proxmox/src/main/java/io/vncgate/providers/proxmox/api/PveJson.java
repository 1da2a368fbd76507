package io.vncgate.providers.proxmox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vncgate.spi.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PVE's JSON envelopes ({@code /api2/json/...}): {@code {"data": ...}} on success; on failure
 * {@code data} is null and newer versions add {@code message} (older ones only put it in the HTTP
 * reason phrase, which java.net.http does not expose) and {@code errors} for bad parameters.
 */
public final class PveJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PveJson() {}

  /** The parsed body, or null when it is not JSON. */
  public static JsonNode parse(String body) {
    if (body == null || body.isBlank()) return null;
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  /** PVE's own words for a failure: {@code message}, then the parameter {@code errors}; empty if none. */
  public static String message(JsonNode body) {
    if (body == null) return "";
    StringBuilder out = new StringBuilder(body.path("message").asText("").strip());
    body.path("errors").fields().forEachRemaining(e -> {
      if (!out.isEmpty()) out.append("; ");
      out.append(e.getKey()).append(": ").append(e.getValue().asText().strip());
    });
    return out.toString();
  }

  /** The guests of {@code /cluster/resources?type=vm} (entries of other types are skipped). */
  public static List<Guest> guests(JsonNode data) {
    List<Guest> out = new ArrayList<>();
    for (JsonNode r : data) {
      String type = r.path("type").asText("");
      if (!type.equals("qemu") && !type.equals("lxc")) continue;
      // the node goes into API paths: only what PVE allows in a node name
      if (!r.path("vmid").canConvertToInt() || !r.path("node").asText("").matches("[A-Za-z0-9][A-Za-z0-9.-]*")) continue;
      out.add(new Guest(r.path("vmid").asInt(), type, r.hasNonNull("name") ? r.get("name").asText() : null,
          r.get("node").asText(), r.path("status").asText("unknown"), tags(r.path("tags").asText("")),
          r.hasNonNull("pool") ? r.get("pool").asText() : null, r.path("template").asInt(0) == 1));
    }
    return List.copyOf(out);
  }

  /** PVE writes tags separated by ';' (older configs: ',' or spaces). */
  static List<String> tags(String text) {
    return Arrays.stream(text.split("[;,\\s]+")).filter(t -> !t.isEmpty()).toList();
  }

  /** The answer of {@code vncproxy}; fails with a description (never the values) when fields are missing. */
  public static ConsoleTicket consoleTicket(JsonNode data) {
    if (!data.path("ticket").isTextual() || data.path("ticket").asText().isEmpty()) {
      throw new IllegalArgumentException("its answer has no ticket");
    }
    int port = data.path("port").asInt(-1);
    if (port < 1 || port > 65535) throw new IllegalArgumentException("its answer has no valid port");
    String password = data.path("password").isTextual() && !data.path("password").asText().isEmpty()
        ? data.path("password").asText() : null;
    return new ConsoleTicket(port, Secret.of(data.get("ticket").asText()),
        password == null ? null : Secret.of(password), data.path("user").asText(""));
  }

  /** The answer of {@code POST /access/ticket}. */
  public record Login(Secret ticket, Secret csrfToken, boolean needsSecondFactor) {}

  public static Login login(JsonNode data) {
    if (!data.path("ticket").isTextual() || !data.path("CSRFPreventionToken").isTextual()) {
      throw new IllegalArgumentException("its answer has no ticket or CSRFPreventionToken");
    }
    return new Login(Secret.of(data.get("ticket").asText()), Secret.of(data.get("CSRFPreventionToken").asText()),
        data.path("NeedTFA").asInt(0) == 1);
  }
}
