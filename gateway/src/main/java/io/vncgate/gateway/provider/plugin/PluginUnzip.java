package io.vncgate.gateway.provider.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Unpacks a plugin zip into a folder of the gateway's own, so the plugins folder can stay
 * read-only and two gateway processes never share an unpacked copy.
 */
final class PluginUnzip {
  private PluginUnzip() {}

  static void extract(Path zip, Path into) throws IOException {
    Path root = Files.createDirectories(into).toRealPath();
    try (ZipFile archive = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = archive.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        Path out = root.resolve(entry.getName()).normalize();
        if (!out.startsWith(root) || out.equals(root)) {
          throw new IOException("entry \"" + entry.getName() + "\" points outside the plugin");
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          try (InputStream in = archive.getInputStream(entry)) {
            Files.copy(in, out);
          }
        }
      }
    }
  }
}
