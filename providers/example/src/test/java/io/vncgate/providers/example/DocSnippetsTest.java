package io.vncgate.providers.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every snippet in docs/writing-a-provider.md marked {@code <!-- from: FILE -->} is a contiguous
 * part of FILE (blank lines aside), so the guide shows code that compiles and builds.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DocSnippetsTest {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
  private static final Pattern SNIPPET = Pattern.compile("<!-- from: (\\S+) -->\\n```\\w*\\n(.*?)\\n```", Pattern.DOTALL);

  @Test
  void snippetsInTheGuideAreCopiedFromTheExampleModule() throws Exception {
    String guide = Files.readString(REPO.resolve("docs/writing-a-provider.md"));
    Matcher m = SNIPPET.matcher(guide);
    int checked = 0;
    while (m.find()) {
      List<String> snippet = nonBlank(m.group(2));
      List<String> source = nonBlank(Files.readString(REPO.resolve(m.group(1))));
      assertTrue(Collections.indexOfSubList(source, snippet) >= 0,
          "this snippet is not a contiguous part of " + m.group(1) + ":\n" + m.group(2));
      checked++;
    }
    assertEquals(4, checked, "snippets marked in the guide");
  }

  private static List<String> nonBlank(String text) {
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) out.add(line.stripTrailing());
    }
    return out;
  }
}
