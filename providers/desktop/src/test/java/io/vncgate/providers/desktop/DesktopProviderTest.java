package io.vncgate.providers.desktop;

import static io.vncgate.testbeds.plugin.ProviderTestConfig.CALLER;
import static io.vncgate.testbeds.plugin.ProviderTestConfig.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.spi.Caller;
import io.vncgate.spi.ProviderException;
import io.vncgate.spi.Route;
import io.vncgate.spi.TargetInfo;
import io.vncgate.spi.TargetRoute;
import io.vncgate.testbeds.plugin.ProviderTestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The provider with real Xvnc processes, without a gateway: start failures, session end, viewers hook, stop. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DesktopProviderTest {
  private static final Caller ALICE = new Caller("alice", "control");

  @TempDir
  Path dir;
  private DesktopTargetProvider provider;

  @AfterEach
  void stop() {
    if (provider != null) provider.stop();
  }

  private DesktopTargetProvider start(String yaml) {
    provider = new DesktopTargetProvider();
    provider.start(ProviderTestConfig.context("desktop", dir, yaml));
    return provider;
  }

  @Test
  void aStateDirThatCannotBeMadeStopsStartUpNamingTheKey() throws Exception {
    Files.writeString(dir.resolve("a-file"), "not a folder");
    provider = new DesktopTargetProvider();
    io.vncgate.spi.ProviderConfigException e = assertThrows(io.vncgate.spi.ProviderConfigException.class,
        () -> provider.start(ProviderTestConfig.context("desktop", dir, "state-dir: a-file/desktops")));
    assertEquals("providers.desktop.state-dir", e.key());
    assertTrue(e.getMessage().startsWith("providers.desktop.state-dir: cannot make " + dir.resolve("a-file/desktops")
        + " a folder only the gateway's user may open: "), e.getMessage());
    provider = null;
  }

  @Test
  void anXvncThatCannotStartIsReportedWithItsOwnWords() throws Throwable {
    Path broken = Files.writeString(dir.resolve("xvnc-bad-option"), "#!/bin/sh\nexec Xvnc \"$@\" -nosuchoption\n");
    Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwx------"));
    start("xvnc: " + broken);
    ProviderException e = assertThrows(ProviderException.class, () -> await(provider.resolve("desktop/alice", ALICE)));
    assertEquals(ProviderException.Kind.UNAVAILABLE, e.kind());
    assertEquals("Xvnc failed to start: Unrecognized option: -nosuchoption", e.getMessage());
    assertEquals("stopped", state(), "a failed start is not kept");
  }

  @Test
  void theSameDesktopIsReusedAndAnIdleOneStopsAfterItsLastViewer() throws Throwable {
    start("idle-stop: 1s\ngeometry: 640x400");
    Path socket = socket(await(provider.resolve("desktop/alice", ALICE)));
    long pid = provider.pid("alice").orElseThrow();
    provider.viewers("desktop/alice", 1); // the gateway: a viewer relays
    assertEquals(socket, socket(await(provider.resolve("desktop/alice", ALICE))));
    assertEquals(pid, provider.pid("alice").orElseThrow());
    Thread.sleep(1_500);
    assertTrue(alive(pid), "watched: not stopped however long");
    provider.viewers("desktop/alice", 0);
    awaitGone(pid, Duration.ofSeconds(10));
    assertFalse(Files.exists(socket), "its socket is removed");
    assertEquals("stopped", state());
  }

  @Test
  void aDesktopWhoseSessionEndsIsStoppedAndTheNextOpenStartsAFreshOne() throws Throwable {
    start("session: [sh, -c, 'sleep 1']");
    await(provider.resolve("desktop/alice", ALICE));
    long pid = provider.pid("alice").orElseThrow();
    awaitGone(pid, Duration.ofSeconds(10));
    await(provider.resolve("desktop/alice", ALICE));
    assertNotEquals(pid, provider.pid("alice").orElseThrow());
  }

  @Test
  void whyADesktopEndedSaysItsSessionEndedOrItsXvncExitedOrItWasIdleAndNothingWhileItRuns() throws Throwable {
    start("session: [sh, -c, 'sleep 2; exit 3']\nidle-stop: 1s\ndesktops: [{id: lab, session: [sleep, '600']},"
        + " {id: idle, session: [sleep, '600']}]");
    await(provider.resolve("desktop/alice", ALICE));
    await(provider.resolve("desktop/lab", ALICE));
    provider.viewers("desktop/alice", 1); // watched: not stopped as idle
    provider.viewers("desktop/lab", 1);
    assertEquals(Optional.empty(), await(provider.whyEnded("desktop/lab", ALICE)), "it runs");
    long alice = provider.pid("alice").orElseThrow();
    awaitGone(alice, Duration.ofSeconds(10)); // its session ended: the provider stopped it
    assertEquals(Optional.of("the desktop's session ended (exit code 3); open it again for a fresh one"),
        await(provider.whyEnded("desktop/alice", ALICE)));
    long lab = provider.pid("lab").orElseThrow();
    ProcessHandle.of(lab).orElseThrow().destroyForcibly(); // Xvnc killed (SIGKILL: exit code 137)
    assertEquals(Optional.of("the desktop's X server (Xvnc) exited (exit code 137); open it again for a fresh one"),
        await(provider.whyEnded("desktop/lab", ALICE)));
    await(provider.resolve("desktop/idle", ALICE));
    long idle = provider.pid("idle").orElseThrow();
    awaitGone(idle, Duration.ofSeconds(10)); // opened, never watched: stopped after idle-stop
    assertEquals(Optional.of("the desktop was stopped after 1 s without a viewer"),
        await(provider.whyEnded("desktop/idle", ALICE)));
    assertEquals(Optional.empty(), await(provider.whyEnded("other/alice", ALICE)));
  }

  @Test
  void stoppingTheProviderStopsItsDesktops() throws Throwable {
    start("desktops: [{id: lab}]");
    await(provider.resolve("desktop/alice", ALICE));
    await(provider.resolve("desktop/lab", ALICE));
    long a = provider.pid("alice").orElseThrow();
    long lab = provider.pid("lab").orElseThrow();
    provider.stop();
    provider = null;
    assertFalse(alive(a));
    assertFalse(alive(lab));
  }

  @Test
  void usersOpenOnlyTheirOwnDesktopAndNamedOnesTheyAreListedFor() throws Throwable {
    start("admins: [helpdesk]\ndesktops: [{id: lab, users: [bob]}]");
    ProviderException other = assertThrows(ProviderException.class,
        () -> await(provider.resolve("desktop/bob", ALICE)));
    assertEquals(ProviderException.Kind.FORBIDDEN, other.kind());
    assertEquals("desktop/bob is another user's desktop; you may open only your own, desktop/alice", other.getMessage());
    ProviderException lab = assertThrows(ProviderException.class,
        () -> await(provider.resolve("desktop/lab", ALICE)));
    assertEquals("desktop " + "desktop/lab is open only to bob", lab.getMessage());
    assertEquals(List.of("desktop/alice"), ids(ALICE));
    assertEquals(List.of("desktop/bob", "desktop/lab"), ids(new Caller("bob", "control")));
    assertEquals(List.of("desktop/helpdesk"), ids(new Caller("helpdesk", "control")), "nothing runs yet");
    await(provider.resolve("desktop/alice", ALICE));
    assertEquals(List.of("desktop/helpdesk", "desktop/alice"), ids(new Caller("helpdesk", "control")),
        "admins see the running desktops of users");
    await(provider.resolve("desktop/alice", new Caller("helpdesk", "control")));
  }

  private List<String> ids(Caller caller) throws Throwable {
    return await(provider.list(caller)).stream().map(TargetInfo::id).toList();
  }

  private String state() throws Throwable {
    return await(provider.list(ALICE)).stream().filter(t -> t.id().equals("desktop/alice")).findFirst()
        .orElseThrow().labels().get("state");
  }

  private static Path socket(TargetRoute route) {
    return ((Route.UnixSocket) route.route()).path();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static void awaitGone(long pid, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (alive(pid) && System.nanoTime() < deadline) Thread.sleep(50);
    assertFalse(alive(pid), "Xvnc " + pid + " still runs");
  }
}
