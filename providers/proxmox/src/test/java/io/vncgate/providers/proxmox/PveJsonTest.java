package io.vncgate.providers.proxmox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vncgate.providers.proxmox.api.ConsoleTicket;
import io.vncgate.providers.proxmox.api.Guest;
import io.vncgate.providers.proxmox.api.PveJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PVE's JSON envelopes, parsed from answers in the shape pve-manager, qemu-server, pve-container
 * and pve-access-control produce them (field sets from their API schemas; see src/test/resources/pve).
 */
class PveJsonTest {

  private static JsonNode sample(String name) throws IOException {
    try (InputStream in = PveJsonTest.class.getResourceAsStream("/pve/" + name)) {
      return PveJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void clusterResourcesGiveQemuAndLxcGuestsWithTagsPoolStatusAndTemplates() throws IOException {
    List<Guest> guests = PveJson.guests(sample("cluster-resources.json").get("data"));
    assertEquals(4, guests.size());
    assertEquals(new Guest(100, "qemu", "web", "pve1", "running", List.of("lab", "vnc"), "lab", false), guests.get(0));
    assertEquals(new Guest(101, "lxc", "ct-build", "pve2", "stopped", List.of("vnc"), null, false), guests.get(1));
    assertTrue(guests.get(2).template());
    Guest offline = guests.get(3);
    assertEquals("unknown", offline.status(), "a guest on a node that does not report has status unknown");
    assertNull(offline.name());
    assertEquals("VM 102", offline.kind());
    assertEquals("CT 101", guests.get(1).kind());
    assertEquals("pct start 101", guests.get(1).startCommand());
  }

  @Test
  void entriesOfOtherTypesAndOddNodeNamesAreSkipped() {
    JsonNode data = PveJson.parse("""
        [{"id":"node/pve1","type":"node","node":"pve1","status":"online"},
         {"id":"storage/pve1/local","type":"storage","node":"pve1","storage":"local"},
         {"id":"qemu/103","type":"qemu","vmid":103,"node":"../../access","status":"running"},
         {"id":"qemu/104","type":"qemu","vmid":104,"node":"pve-1.lab","status":"running","tags":"a,b c"}]""");
    List<Guest> guests = PveJson.guests(data);
    assertEquals(1, guests.size());
    assertEquals(104, guests.get(0).vmid());
    assertEquals(List.of("a", "b", "c"), guests.get(0).tags(), "older configs separate tags by ',' or space");
  }

  @Test
  void vncproxyAnswerGivesPortTicketAndThePasswordForVncAuth() throws IOException {
    // real PVE sends the port as a JSON string ("5900"): the Perl scalar was used as text before encoding
    ConsoleTicket t = PveJson.consoleTicket(sample("vncproxy-qemu.json").get("data"));
    assertEquals(5900, t.port());
    assertEquals("Xk3@w!p9Zq:PVEVNC:6745A1B2::hV0t5S0m3/Base64+Sig==", t.ticket().reveal());
    assertEquals("Xk3@w!p9Zq", t.vncPassword().reveal());
    assertEquals("vncgate@pve!gateway", t.user());
    assertFalse(t.toString().contains("Xk3@w"), "the record prints no secret: " + t);
  }

  @Test
  void anOlderVncproxyAnswerWithoutPasswordUsesTheTicketForVncAuth() throws IOException {
    ConsoleTicket t = PveJson.consoleTicket(sample("vncproxy-old.json").get("data"));
    assertEquals(5901, t.port());
    assertEquals(t.ticket(), t.vncPassword());
  }

  @Test
  void aVncproxyAnswerWithoutTicketOrPortIsRefusedWithoutQuotingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PveJson.consoleTicket(PveJson.parse("{\"port\":5900,\"password\":\"pw\"}")));
    assertEquals("its answer has no ticket", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> PveJson.consoleTicket(PveJson.parse("{\"ticket\":\"PVEVNC:1::x\"}")));
    assertEquals("its answer has no valid port", e.getMessage());
  }

  @Test
  void accessTicketAnswerGivesTicketAndCsrfToken() throws IOException {
    PveJson.Login l = PveJson.login(sample("access-ticket.json").get("data"));
    assertTrue(l.ticket().reveal().startsWith("PVE:vncgate@pve:6745A1B2::"));
    assertEquals("6745A1B2:Y2xlYXJseS1ub3QtYS1yZWFsLXRva2Vu", l.csrfToken().reveal());
    assertFalse(l.needsSecondFactor());
    assertTrue(PveJson.login(PveJson.parse("{\"ticket\":\"PVE:u@pve:1::x\",\"CSRFPreventionToken\":\"1:y\","
        + "\"username\":\"u@pve\",\"NeedTFA\":1}")).needsSecondFactor());
  }

  @Test
  void errorBodiesGiveTheirMessageAndParameterErrors() throws IOException {
    assertEquals("Permission check failed (/vms/100, VM.Console)", PveJson.message(sample("error-403.json")));
    assertEquals("Parameter verification failed.; vmid: invalid format - value does not look like a valid VM ID",
        PveJson.message(sample("error-400.json")));
    assertEquals("", PveJson.message(PveJson.parse("{\"data\":null}")), "older PVE: the words are only in the reason");
    assertEquals("", PveJson.message(PveJson.parse("<html>not json</html>")));
  }
}
