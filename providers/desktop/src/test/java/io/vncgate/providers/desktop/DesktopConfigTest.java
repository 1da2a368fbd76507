package io.vncgate.providers.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vncgate.spi.ProviderConfigException;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code providers.desktop}: defaults, and every mistake named by its key. */
class DesktopConfigTest {
  @TempDir
  Path dir;

  private DesktopSettings read(String yaml) {
    return DesktopSettings.read(ProviderTestConfig.context("desktop", dir, yaml).config(), dir);
  }

  private String error(String yaml) {
    return assertThrows(ProviderConfigException.class, () -> read(yaml)).getMessage();
  }

  @Test
  void defaults() {
    DesktopSettings s = read("{}");
    assertEquals(dir.resolve("desktops"), s.stateDir());
    assertEquals("1280x800", s.look().geometry());
    assertEquals(24, s.look().depth());
    assertEquals(List.of("openbox", "--startup", "xterm"), s.look().session(),
        "openbox and xterm are installed here (.ci/install-deps)");
    assertEquals(Duration.ofMinutes(15), s.idleStop());
    assertEquals(8, s.maxDesktops());
    assertEquals(true, s.perUser());
  }

  @Test
  void namedDesktopsInheritAndOverride() {
    DesktopSettings s = read("""
        geometry: 1024x768
        session: startxfce4-missing-is-fine-as-a-string
        desktops:
          - {id: lab, name: The lab, users: [alice, bob], geometry: 800x600, session: [xterm, -e, top]}
          - {id: big}
        """);
    assertEquals(List.of("sh", "-c", "startxfce4-missing-is-fine-as-a-string"), s.look().session(),
        "a string is a shell command line");
    DesktopSettings.Named lab = s.desktops().get(0);
    assertEquals("800x600", lab.look().geometry());
    assertEquals(List.of("xterm", "-e", "top"), lab.look().session());
    assertEquals(java.util.Set.of("alice", "bob"), lab.users());
    assertEquals("1024x768", s.desktops().get(1).look().geometry());
  }

  @Test
  void mistakesNameTheirKey() {
    assertEquals("providers.desktop.geometry: expected WIDTHxHEIGHT such as 1280x800, got \"big\"", error("geometry: big"));
    assertEquals("providers.desktop.geometry: each side from 64 to 8192 pixels, got \"10x10\"", error("geometry: 10x10"));
    assertEquals("providers.desktop.depth: expected 16, 24 or 32, got 8", error("depth: 8"));
    assertEquals("providers.desktop.max-desktops: expected a whole number from 1 to 1000, got \"0\"", error("max-desktops: 0"));
    assertEquals("providers.desktop.idle-stop: expected a duration like 30s, 15m, 500ms or 2h, got \"soon\"",
        error("idle-stop: soon"));
    assertEquals("providers.desktop.session: \"no-such-desktop-environment\" is not an executable program here",
        error("session: [no-such-desktop-environment]"));
    assertEquals("providers.desktop.xvnc: \"/nowhere/Xvnc\" is not an executable program here: install TigerVNC's Xvnc"
        + " (Debian: tigervnc-standalone-server) or give its path", error("xvnc: /nowhere/Xvnc"));
    assertEquals("providers.desktop.desktops[1].id: \"lab\" names two desktops", error("desktops: [{id: lab}, {id: lab}]"));
    assertEquals("providers.desktop.desktops[0].id: \"Lab/1\" is not a desktop id: lower-case letters, digits, '.', '_'"
        + " and '-', at most 63", error("desktops: [{id: Lab/1}]"));
    assertEquals("providers.desktop.desktops[0].depht: unknown key — did you mean providers.desktop.desktops[0].depth?"
        + " (the keys here: id, name, users, geometry, depth, session)",
        error("desktops: [{id: lab, depht: 16}]"));
    assertEquals("providers.desktop.per-user: false and no desktops: listed: this provider would offer nothing",
        error("per-user: false"));
    assertEquals(true, error("sesion: xterm").startsWith("providers.desktop.sesion: unknown key — did you mean providers.desktop.session? (the keys here: state-dir,"));
  }

  @Test
  void aStateDirTooLongForUnixSocketsIsRefused() {
    String longDir = "/tmp/" + "d".repeat(100);
    String e = error("state-dir: " + longDir);
    assertEquals("providers.desktop.state-dir: " + longDir + " is too long for the desktops' unix sockets (121 of at most"
        + " 107 characters with run/x<display>.sock): choose a shorter folder", e);
  }

  @Test
  void fileNamesNeverLeaveTheStateFolder() {
    assertEquals("alice", FileNames.of("alice"));
    assertEquals("_2e_2e_2fetc", FileNames.of("../etc"));
    assertEquals("a_5fb", FileNames.of("a_b"));
    assertEquals("a_2fb", FileNames.of("a/b"));
    assertEquals(66, FileNames.of("x".repeat(200)).length());
  }
}
