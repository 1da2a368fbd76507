package io.vncgate.testbeds.impl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The {@code openssl} command line, as the testbeds use it to make their CAs and certificates. */
public final class OpenSsl {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private OpenSsl() {}

  /** Runs {@code openssl args...}; a failure is a {@code TestbedException} with its output. */
  public static void run(String... args) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Tools.check(Map.of(), null, TIMEOUT, command);
  }

  /** A fresh positive certificate serial for {@code -set_serial}: {@code 0x} and 16 hex digits. */
  public static String serial() {
    return "0x" + randomHex(8);
  }

  /** {@code bytes} random bytes as hex, the first below 0x80. */
  public static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] &= 0x7f;
    return HexFormat.of().formatHex(b);
  }
}
