package io.vncgate.testbeds;

/** A fixture could not be set up or used: a tool is missing, a server died, a command failed. */
public class TestbedException extends RuntimeException {

  public TestbedException(String message) {
    super(message);
  }

  public TestbedException(String message, Throwable cause) {
    super(message, cause);
  }
}
