package io.vncgate.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vncgate.gateway.Version;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** `vncgate COMMAND --help` for every command, `--version`, and the bash completion script run in a real bash. */
@Timeout(60)
class HelpAndCompletionTest {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"serve", "token", "plugins", "demo", "open", "completion", "status", "bridge"})
  void everyCommandHasHelpThatExitsZero(String command) {
    assertEquals(0, run(command, "--help"), err.toString());
    String help = out.toString();
    assertTrue(help.startsWith("Usage: vncgate " + command), help);
    assertEquals("", err.toString());
    // each option's help is a whole sentence: a capital letter first, a full stop last
    Matcher option = Pattern.compile("(?m)^\\s+(?:-\\w, )?--[\\w-]+(?:=\\S+)?\\s{2,}(.*(?:\\n\\s{20,}.*)*)").matcher(help);
    int options = 0;
    while (option.find()) {
      String sentence = option.group(1).replaceAll("\\s+", " ").strip();
      assertTrue(Character.isUpperCase(sentence.charAt(0)) && sentence.endsWith("."), command + ": '" + sentence + "'");
      options++;
    }
    assertTrue(options >= 2, help); // --help and --version at least
  }

  @Test
  void helpCommandAndVersion() {
    assertEquals(0, run("help", "serve"));
    assertTrue(out.toString().startsWith("Usage: vncgate serve"), out.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, run("--version"));
    assertEquals("vncgate " + Version.get() + "\n", out.toString());
  }

  @Test
  void completionScriptCompletesCommandsInBash(@TempDir Path dir) throws Exception {
    assertEquals(0, run("completion"));
    Path script = dir.resolve("vncgate-completion.bash");
    Files.writeString(script, out.toString());
    // what bash offers after `vncgate pl<TAB>` and `vncgate serve --c<TAB>`, from the script itself
    String probe = "source " + script + "\n"
        + "COMP_WORDS=(vncgate pl); COMP_CWORD=1; COMP_LINE='vncgate pl'; COMP_POINT=${#COMP_LINE}; _complete_vncgate; echo \"1:${COMPREPLY[*]}\"\n"
        + "COMP_WORDS=(vncgate serve --c); COMP_CWORD=2; COMP_LINE='vncgate serve --c'; COMP_POINT=${#COMP_LINE}; _complete_vncgate; echo \"2:${COMPREPLY[*]}\"\n";
    Process bash = new ProcessBuilder(List.of("bash", "-c", probe)).redirectErrorStream(true).start();
    String said = new String(bash.getInputStream().readAllBytes());
    assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
    assertTrue(said.contains("1:plugins"), said);
    assertTrue(said.contains("2:--config"), said);
  }
}
