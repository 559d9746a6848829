package org.consilium.deploy;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.consilium.coordinator.cli.ScoreCommand;
import org.consilium.node.NodeMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code consilium}: the consortium administrator's and analyst's tools in one launcher of the
 * distribution, each a subcommand (provision, user, audit, score, check). The programs that run
 * for good are their own launchers: {@code consilium-coordinator} and {@code consilium-node}.
 */
@Command(name = "consilium", mixinStandardHelpOptions = true, version = "0.1.0",
    description = "Consilium's tools: provision a consortium, manage console users, verify audit logs, score data with a model, check a node's kit.")
public final class ConsiliumCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** A node kit's configuration, identity, dictionary, ledger and datasets, checked without connecting. */
  @Command(name = "check", mixinStandardHelpOptions = true, description = "check a node kit (config, keys, dictionary, ledger, datasets) and exit")
  static final class Check implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "the node.yaml of the kit")
    Path config;

    @Override
    public Integer call() {
      return new CommandLine(new NodeMain()).execute("--config", config.toString(), "--check");
    }
  }

  public static CommandLine commandLine() {
    return new CommandLine(new ConsiliumCommand()).addSubcommand("provision", new ProvisionCommand())
        .addSubcommand("user", new UserCommand()).addSubcommand("audit", new AuditCommand())
        .addSubcommand("score", new ScoreCommand()).addSubcommand("check", new Check());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err); // no subcommand: say which there are
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
