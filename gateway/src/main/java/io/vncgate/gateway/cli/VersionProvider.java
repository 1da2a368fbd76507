package io.vncgate.gateway.cli;

import io.vncgate.gateway.Version;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"vncgate " + Version.get()};
  }
}
