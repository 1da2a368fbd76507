package io.vncgate.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TlsTest {
  private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYBYTES\n-----END PRIVATE KEY-----\n";

  @Test
  void theOldConstructorsStillWorkAndMeanNoInlineCaAndNoClientCertificate() {
    Tls tls = new Tls(Path.of("ca.pem"), null, "k");
    assertNull(tls.caPem());
    assertNull(tls.clientCertificate());
    assertEquals(new Tls(Path.of("ca.pem"), null, null), new Tls(Path.of("ca.pem"), null));
    assertEquals(Tls.SYSTEM, new Tls(null, null, null, null, null));
  }

  @Test
  void aClientCertificateNeverShowsItsKeyAndTheCaTextIsNotPrinted() {
    Tls tls = Tls.caPem(CERT, "providers.kubevirt.kubeconfig")
        .withClientCertificate(new Tls.ClientCertificate(CERT, Secret.of(KEY)));
    assertEquals(CERT, tls.caPem());
    assertFalse(tls.toString().contains("TOPSECRET"), tls.toString());
    assertFalse(tls.toString().contains("MIIB"), tls.toString());
    assertFalse(tls.clientCertificate().toString().contains("TOPSECRET"));
  }

  @Test
  void oneWayOfTrustAndPemThatIsPem() {
    assertThrows(IllegalArgumentException.class, () -> new Tls(Path.of("ca.pem"), null, null, CERT, null));
    assertThrows(IllegalArgumentException.class, () -> new Tls(null, "ab".repeat(32), null, CERT, null));
    assertThrows(IllegalArgumentException.class, () -> Tls.caPem("not pem", null));
    assertThrows(IllegalArgumentException.class, () -> new Tls.ClientCertificate(CERT, Secret.of("nope")));
    assertThrows(IllegalArgumentException.class, () -> new Tls.ClientCertificate("nope", Secret.of(KEY)));
  }
}
