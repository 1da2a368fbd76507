package io.vncgate.testbeds.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcTest {
  @Test
  void aJvmsCompilerAndCollectorThreadsAreFoundByName() {
    long pid = ProcessHandle.current().pid();
    double[] jitGc = Proc.jitGcSeconds(pid);
    // this JVM has compiled the test framework by now: its C1/C2 threads have run for at least a tick
    assertTrue(jitGc[0] > 0, "JIT seconds " + jitGc[0]);
    assertTrue(jitGc[0] + jitGc[1] <= Proc.cpuSeconds(pid), "part of the process's CPU");
  }

  @Test
  void aProcessWithoutThemOrGoneHasNone() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "30").start();
    try {
      assertArrayEquals(new double[2], Proc.jitGcSeconds(sleep.pid()));
    } finally {
      sleep.destroy();
      sleep.waitFor();
    }
    assertArrayEquals(new double[2], Proc.jitGcSeconds(sleep.pid()));
  }
}
