package io.vncgate.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/systemd/vncgate.service checked by systemd's own tools, which need no running systemd:
 * {@code systemd-analyze verify} (syntax, known settings, an executable ExecStart) and
 * {@code systemd-analyze security --offline=yes} (the sandbox's exposure score).
 */
@Timeout(120)
class SystemdUnitIT {
  private static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");
  @TempDir Path dir;
  Path unit;

  @BeforeEach
  void unitPointingAtTheUnpackedLauncher() throws Exception {
    if (!Files.isExecutable(ANALYZE)) {
      System.out.println("SystemdUnitIT skipped: " + ANALYZE + " is not installed (Debian package systemd, see .ci/install-deps)");
    }
    assumeTrue(Files.isExecutable(ANALYZE), "systemd-analyze is not installed (Debian package systemd)");
    String text = Files.readString(Release.repo().resolve("packaging/systemd/vncgate.service"));
    // verify checks that ExecStart is an executable file: point it at the tarball's real launcher
    Path launcher = Release.home().resolve("bin/vncgate");
    assertTrue(text.contains("ExecStart=/opt/vncgate/bin/vncgate serve\n"), text);
    unit = dir.resolve("vncgate.service");
    Files.writeString(unit, text.replace("ExecStart=/opt/vncgate/bin/vncgate ", "ExecStart=" + launcher + " "));
  }

  @Test
  void verifyFindsNothingToSay() throws Exception {
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(60), List.of(ANALYZE.toString(), "verify", unit.toString()));
    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    assertEquals("", r.stderr().strip(), "verify's complaints");
  }

  @Test
  void theSandboxExposureIsLow() throws Exception {
    Release.Result r = Release.run(Map.of(), Duration.ofSeconds(60),
        List.of(ANALYZE.toString(), "security", "--offline=yes", "--no-pager", unit.toString()));
    boolean offlineKnown = !(r.stderr().contains("unrecognized option") || r.stderr().contains("Unknown option"));
    if (!offlineKnown) System.out.println("SystemdUnitIT: this systemd-analyze has no --offline (systemd < 250): " + r.stderr().strip());
    assumeTrue(offlineKnown, "systemd-analyze security --offline needs systemd 250+");
    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    Matcher m = Pattern.compile("Overall exposure level for vncgate\\.service: (\\d+\\.\\d+)").matcher(r.stdout());
    assertTrue(m.find(), r.stdout());
    double exposure = Double.parseDouble(m.group(1));
    System.out.println("SystemdUnitIT: systemd-analyze security exposure " + exposure);
    // systemd calls up to 1.9 "OK"; the JVM needs W^X memory and the network, which is most of what is left
    assertTrue(exposure <= 2.0, "exposure " + exposure + ":\n" + r.stdout());
    for (String setting : List.of("User=/DynamicUser=", "ProtectSystem=", "ProtectHome=", "PrivateTmp=", "NoNewPrivileges=",
        "SystemCallFilter=~@privileged", "RestrictNamespaces=~", "CapabilityBoundingSet=~CAP_SYS_ADMIN")) {
      assertTrue(Pattern.compile("(?m)^✓ " + Pattern.quote(setting)).matcher(r.stdout()).find(), setting + " passes:\n" + r.stdout());
    }
  }

  @Test
  void theUnitRunsTheGatewayWithTheDefaultConfigPath() throws Exception {
    String text = Files.readString(unit);
    for (String line : List.of("DynamicUser=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "SystemCallFilter=@system-service", "ConfigurationDirectory=vncgate", "StateDirectory=vncgate",
        "Environment=VNCGATE_CONFIG=/etc/vncgate/vncgate.yaml", "KillSignal=SIGTERM")) {
      assertTrue(text.contains(line), line);
    }
  }
}
