package io.vncgate.gateway.cli;

public final class Main {
  public static void main(String[] args) {}
}
