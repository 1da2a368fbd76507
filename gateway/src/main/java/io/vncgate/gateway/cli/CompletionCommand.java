package io.vncgate.gateway.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vncgate completion}: the bash (and zsh, via bashcompinit) completion script, made by picocli. */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = {
    "Print a bash completion script for vncgate (zsh can use it after `autoload -U bashcompinit && bashcompinit`).",
    "Install it for this shell with `source <(vncgate completion)`, or for good with",
    "`vncgate completion > ~/.local/share/bash-completion/completions/vncgate`."})
final class CompletionCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("vncgate", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
