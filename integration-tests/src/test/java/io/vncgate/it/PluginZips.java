package io.vncgate.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The plugin zips built by the providers/ modules (paths from the surefire configuration). */
final class PluginZips {
  private PluginZips() {}

  static Path ssh() {
    return built("ssh");
  }

  /** The ssh plugin's AWS edition: the same plugin with the AWS SDK for EC2 discovery. */
  static Path sshAws() {
    return built("ssh-aws");
  }

  static Path example() {
    return built("example");
  }

  static Path proxmox() {
    return built("proxmox");
  }

  static Path docker() {
    return built("docker");
  }

  static Path kubevirt() {
    return built("kubevirt");
  }

  static Path desktop() {
    return built("desktop");
  }

  /** Copies the zip into {@code folder} (created if needed), as an operator would drop it into plugins/. */
  static Path install(Path zip, Path folder) throws Exception {
    Files.createDirectories(folder);
    return Files.copy(zip, folder.resolve(zip.getFileName()), StandardCopyOption.REPLACE_EXISTING);
  }

  private static Path built(String provider) {
    String property = System.getProperty("vncgate.it.zip." + provider);
    Path zip = property == null ? null : Path.of(property);
    if (zip == null || !Files.isRegularFile(zip)) {
      throw new IllegalStateException("the " + provider + " plugin zip is not built (" + property
          + "): run the tests through the reactor, e.g. mvn -pl integration-tests -am test");
    }
    return zip;
  }
}
