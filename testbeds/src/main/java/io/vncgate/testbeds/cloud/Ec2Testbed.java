package io.vncgate.testbeds.cloud;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake EC2 endpoint on loopback speaking the Query API for {@code DescribeInstances}
 * (version 2016-11-15): a form-encoded POST with {@code Filter.N.Name}/{@code Filter.N.Value.M},
 * {@code MaxResults}/{@code NextToken} pagination, a SigV4 {@code Authorization} header check,
 * and the XML response the AWS SDKs parse. Point an SDK client at it with
 * {@code endpointOverride(testbed.endpoint())}.
 */
public final class Ec2Testbed implements AutoCloseable {

  /** One instance; {@code state} is an EC2 state name such as {@code running} or {@code stopped}. */
  public record Instance(String id, String state, String privateIp, String publicIp, Map<String, String> tags) {
    public Instance {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(state, "state");
      tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
  }

  private final String accessKeyId;
  private final List<Instance> instances;
  private final int maxPageSize;
  private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
  private final LoopbackHttp http;

  private Ec2Testbed(String accessKeyId, List<Instance> instances, int maxPageSize) {
    this.accessKeyId = accessKeyId;
    this.instances = List.copyOf(instances);
    this.maxPageSize = maxPageSize;
    this.http = new LoopbackHttp("/", this::handle);
  }

  /**
   * Starts the endpoint. Requests must be signed with {@code accessKeyId} (only the header's shape
   * and the key id are checked, not the signature). {@code maxPageSize} caps {@code MaxResults}.
   */
  public static Ec2Testbed start(String accessKeyId, List<Instance> instances, int maxPageSize) {
    return new Ec2Testbed(accessKeyId, instances, maxPageSize);
  }

  /** The endpoint URL, e.g. {@code http://127.0.0.1:41234}. */
  public java.net.URI endpoint() {
    return java.net.URI.create("http://127.0.0.1:" + http.port());
  }

  /** The decoded form parameters of every request, in order. */
  public List<Map<String, String>> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    http.close();
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> form = LoopbackHttp.decodeForm(body);
    requests.add(Map.copyOf(form));
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/")
        || !auth.contains("SignedHeaders=") || !auth.contains("Signature=")
        || ex.getRequestHeaders().getFirst("X-Amz-Date") == null) {
      error(ex, 401, "AuthFailure", "AWS was not able to validate the provided access credentials");
      return;
    }
    if (!"POST".equals(ex.getRequestMethod()) || !"DescribeInstances".equals(form.get("Action"))) {
      error(ex, 400, "InvalidAction", "The action " + form.get("Action") + " is not valid for this web service.");
      return;
    }
    if (!"2016-11-15".equals(form.get("Version"))) {
      error(ex, 400, "InvalidParameterValue", "unsupported API version " + form.get("Version"));
      return;
    }
    List<Instance> matching;
    int offset;
    int pageSize;
    try {
      Ec2Filters filters = Ec2Filters.parse(form);
      matching = instances.stream().filter(filters::matches).toList();
      offset = form.containsKey("NextToken") ? decodeToken(form.get("NextToken")) : 0;
      pageSize = Math.min(maxPageSize, Integer.parseInt(form.getOrDefault("MaxResults", "1000")));
    } catch (IllegalArgumentException e) {
      error(ex, 400, "InvalidParameterValue", e.getMessage());
      return;
    }
    offset = Math.min(offset, matching.size());
    int end = Math.min(matching.size(), offset + pageSize);
    String next = end < matching.size() ? encodeToken(end) : null;
    LoopbackHttp.respond(ex, 200, "text/xml;charset=UTF-8", Ec2Xml.describeInstances(matching.subList(offset, end), next));
  }

  private static String encodeToken(int offset) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("offset:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int decodeToken(String token) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!text.startsWith("offset:")) throw new IllegalArgumentException("bad token");
      return Integer.parseInt(text.substring(7));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid NextToken");
    }
  }

  private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code
        + "</Code><Message>" + Ec2Xml.escape(message) + "</Message></Error></Errors><RequestID>"
        + UUID.randomUUID() + "</RequestID></Response>";
    LoopbackHttp.respond(ex, status, "text/xml;charset=UTF-8", xml);
  }
}
