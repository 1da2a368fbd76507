package io.vncgate.testbeds.bench;

import java.io.PrintStream;

/** Progress lines on the console, formatted with {@link String#format}. */
final class PrintLog {
  private final PrintStream out;

  PrintLog(PrintStream out) {
    this.out = out;
  }

  void line(String format, Object... args) {
    out.println(args.length == 0 ? format : String.format(format, args));
    out.flush();
  }
}
