package io.vncgate.testbeds;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds PF4J plugin zips in a temp folder from compiled test classes: {@code plugin.properties},
 * {@code classes/} (with {@code META-INF/extensions.idx}) and {@code lib/*.jar}, the layout the
 * providers' assembly produces (providers/pom.xml) — and, for tests of the loader's defences,
 * whatever else a hostile zip holds ({@link #entry}).
 */
public final class PluginZip {
  private final Map<String, String> descriptor = new LinkedHashMap<>();
  private final List<Class<?>> classes = new ArrayList<>();
  private final List<String> extensions = new ArrayList<>();
  private final Map<String, List<Class<?>>> libs = new LinkedHashMap<>();
  private final Map<String, byte[]> entries = new LinkedHashMap<>();
  private String rawDescriptor;
  private boolean withDescriptor = true;

  private PluginZip() {}

  /** A plugin {@code id} 1.0.0 requiring gateway {@code >=0.1.0}, with PF4J's own Plugin class. */
  public static PluginZip plugin(String id) {
    PluginZip z = new PluginZip();
    z.descriptor.put("plugin.id", id);
    z.descriptor.put("plugin.version", "1.0.0");
    z.descriptor.put("plugin.requires", ">=0.1.0");
    z.descriptor.put("plugin.class", "org.pf4j.Plugin");
    return z;
  }

  public PluginZip set(String key, String value) {
    if (value == null) descriptor.remove(key); else descriptor.put(key, value);
    return this;
  }

  /** A class listed in extensions.idx (copied with its nested classes). */
  public PluginZip extension(Class<?> type) {
    classes.add(type);
    extensions.add(type.getName());
    return this;
  }

  public PluginZip withClass(Class<?> type) {
    classes.add(type);
    return this;
  }

  /** A jar in lib/ holding copies of these classes. */
  public PluginZip lib(String jarName, Class<?>... types) {
    libs.put(jarName, List.of(types));
    return this;
  }

  /** An entry of this name and content, written as is (e.g. {@code ../escaped.txt}). */
  public PluginZip entry(String name, byte[] content) {
    entries.put(name, content);
    return this;
  }

  public PluginZip rawDescriptor(String text) {
    rawDescriptor = text;
    return this;
  }

  public PluginZip noDescriptor() {
    withDescriptor = false;
    return this;
  }

  public Path writeTo(Path folder, String fileName) throws IOException {
    Files.createDirectories(folder);
    Path zip = folder.resolve(fileName);
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      if (withDescriptor) {
        StringBuilder text = new StringBuilder();
        descriptor.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        put(out, "plugin.properties", (rawDescriptor != null ? rawDescriptor : text.toString()).getBytes(StandardCharsets.UTF_8));
      }
      for (Class<?> type : classes) {
        for (Map.Entry<String, byte[]> f : classFiles(type).entrySet()) put(out, "classes/" + f.getKey(), f.getValue());
      }
      if (!extensions.isEmpty()) {
        put(out, "classes/META-INF/extensions.idx", (String.join("\n", extensions) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      for (Map.Entry<String, List<Class<?>>> lib : libs.entrySet()) {
        put(out, "lib/" + lib.getKey(), jar(lib.getValue()));
      }
      for (Map.Entry<String, byte[]> e : entries.entrySet()) put(out, e.getKey(), e.getValue());
    }
    return zip;
  }

  private static byte[] jar(List<Class<?>> types) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream jar = new ZipOutputStream(bytes)) {
      for (Class<?> type : types) {
        for (Map.Entry<String, byte[]> f : classFiles(type).entrySet()) put(jar, f.getKey(), f.getValue());
      }
    }
    return bytes.toByteArray();
  }

  /** The class file of {@code type} and of its nested classes, by path inside a class folder. */
  private static Map<String, byte[]> classFiles(Class<?> type) throws IOException {
    Path root;
    try {
      root = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    String path = type.getName().replace('.', '/');
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (Files.isDirectory(root)) {
      Path dir = root.resolve(path).getParent();
      String simple = path.substring(path.lastIndexOf('/') + 1);
      try (Stream<Path> list = Files.list(dir)) {
        for (Path f : list.sorted().toList()) {
          String n = f.getFileName().toString();
          if (n.equals(simple + ".class") || n.startsWith(simple + "$")) {
            files.put(root.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
          }
        }
      }
    } else {
      // a class from a jar (e.g. the SPI): just the class itself
      try (var in = type.getResourceAsStream("/" + path + ".class")) {
        files.put(path + ".class", in.readAllBytes());
      }
    }
    return files;
  }

  private static void put(ZipOutputStream out, String name, byte[] content) throws IOException {
    out.putNextEntry(new ZipEntry(name));
    out.write(content);
    out.closeEntry();
  }
}
