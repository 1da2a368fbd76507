package io.vncgate.testbeds.cloud;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Writes {@code DescribeInstancesResponse} XML as EC2 sends it (namespace 2016-11-15). */
final class Ec2Xml {
  static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

  private static final Map<String, Integer> STATE_CODES = Map.of(
      "pending", 0, "running", 16, "shutting-down", 32, "terminated", 48, "stopping", 64, "stopped", 80);

  private Ec2Xml() {}

  /** One reservation per instance, as when each was launched on its own. */
  static String describeInstances(List<Ec2Testbed.Instance> page, String nextToken) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<DescribeInstancesResponse xmlns=\"").append(NAMESPACE).append("\">\n")
        .append("  <requestId>").append(UUID.randomUUID()).append("</requestId>\n")
        .append("  <reservationSet>\n");
    for (Ec2Testbed.Instance i : page) {
      xml.append("    <item>\n")
          .append("      <reservationId>r-").append(escape(i.id().replace("i-", ""))).append("</reservationId>\n")
          .append("      <ownerId>123456789012</ownerId>\n")
          .append("      <groupSet/>\n")
          .append("      <instancesSet>\n")
          .append("        <item>\n");
      element(xml, "instanceId", i.id());
      element(xml, "imageId", "ami-0123456789abcdef0");
      xml.append("          <instanceState><code>").append(STATE_CODES.getOrDefault(i.state(), 16))
          .append("</code><name>").append(escape(i.state())).append("</name></instanceState>\n");
      element(xml, "instanceType", "t3.micro");
      element(xml, "privateIpAddress", i.privateIp());
      element(xml, "ipAddress", i.publicIp());
      xml.append("          <tagSet>\n");
      i.tags().forEach((k, v) -> xml.append("            <item><key>").append(escape(k))
          .append("</key><value>").append(escape(v)).append("</value></item>\n"));
      xml.append("          </tagSet>\n")
          .append("        </item>\n")
          .append("      </instancesSet>\n")
          .append("    </item>\n");
    }
    xml.append("  </reservationSet>\n");
    if (nextToken != null) {
      xml.append("  <nextToken>").append(escape(nextToken)).append("</nextToken>\n");
    }
    return xml.append("</DescribeInstancesResponse>\n").toString();
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static void element(StringBuilder xml, String name, String value) {
    if (value != null) {
      xml.append("          <").append(name).append('>').append(escape(value)).append("</").append(name).append(">\n");
    }
  }
}
