package org.consilium.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line for {@link Provisioner}: creates a consortium CA and the startup kits. */
@Command(name = "provision", mixinStandardHelpOptions = true, version = "0.1.0",
    description = {"Creates a consortium CA and one startup kit per participant (with --out, --dictionary and --node);",
        "later sites join by certificate request: 'request' (at the site), 'sign' and 'revoke' (the administrator)."},
    subcommands = {SiteCommands.Request.class, SiteCommands.Sign.class, SiteCommands.Revoke.class, SiteCommands.RenewList.class})
public final class ProvisionCommand implements Callable<Integer> {
  @Option(names = "--out", description = "folder for the CA and the kits (must not hold a consortium yet)")
  Path out;

  @Option(names = "--consortium", defaultValue = "consilium", description = "consortium name (default: ${DEFAULT-VALUE})")
  String consortium;

  @Option(names = "--coordinator-host", defaultValue = "127.0.0.1", description = "host name or IP the nodes dial (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--nodes-port", defaultValue = "7443") int nodesPort;
  @Option(names = "--rest-port", defaultValue = "8443") int restPort;
  @Option(names = "--cluster-port", defaultValue = "5701") int clusterPort;
  @Option(names = "--coordinators", defaultValue = "1",
      description = "coordinator instances forming one highly available cluster; instance i (from 2) uses each port + i - 1 "
          + "(default: ${DEFAULT-VALUE})")
  int coordinators;
  @Option(names = "--he-key-bits", defaultValue = "2048",
      description = "size of the threshold Paillier key dealt to the nodes; 0 for none (default: ${DEFAULT-VALUE})")
  int heKeyBits;

  @Option(names = "--dictionary",
      description = "the consortium's data dictionary (YAML), copied into every kit; every --node dataset must be in it")
  Path dictionary;

  @Option(names = "--node", description = "ID=DATASET:CSV, repeatable, e.g. cleveland=heart-disease:/data/cleveland.csv")
  List<String> nodes = new ArrayList<>();

  private String readDictionary() {
    try {
      return java.nio.file.Files.readString(dictionary);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read the data dictionary " + dictionary + ": " + e.getMessage());
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ProvisionCommand()).execute(args));
  }

  @Override
  public Integer call() {
    if (out == null || dictionary == null || nodes.isEmpty()) {
      System.err.println("consilium provision: a new consortium needs --out, --dictionary and at least one --node "
          + "(or use a subcommand: request, sign, revoke; see --help)");
      return 2;
    }
    List<Provisioner.NodePlan> plans = new ArrayList<>();
    Map<String, Map<String, Path>> byNode = new LinkedHashMap<>();
    for (String n : nodes) {
      String[] idRest = n.split("=", 2);
      String[] dsPath = idRest.length == 2 ? idRest[1].split(":", 2) : new String[0];
      if (dsPath.length != 2) {
        System.err.println("consilium provision: --node must be ID=DATASET:CSV, got '" + n + "'");
        return 2;
      }
      byNode.computeIfAbsent(idRest[0], k -> new LinkedHashMap<>()).put(dsPath[0], Path.of(dsPath[1]));
    }
    byNode.forEach((id, ds) -> plans.add(new Provisioner.NodePlan(id, ds, Map.of())));
    try {
      if (coordinators < 1) throw new IllegalArgumentException("--coordinators must be at least 1, got " + coordinators);
      List<Provisioner.Replica> replicas = new java.util.ArrayList<>();
      for (int i = 1; i < coordinators; i++) replicas.add(new Provisioner.Replica(nodesPort + i, restPort + i, clusterPort + i));
      Provisioner.Consortium c = Provisioner.provision(new Provisioner.Plan(consortium, out, host, nodesPort, restPort,
          clusterPort, plans, Map.of(), heKeyBits, readDictionary(), replicas));
      System.out.println("consortium '" + consortium + "' provisioned in " + c.out());
      System.out.println("  coordinator kit: " + c.coordinatorConfig().getParent());
      c.replicaConfigs().forEach(r -> System.out.println("  further coordinator instance: " + r));
      c.nodeConfigs().forEach((id, cfg) -> System.out.println("  node kit " + id + ": " + cfg.getParent()));
      System.out.println("  the administrator's API token is in " + c.coordinatorConfig().getParent().resolve("admin-credential"));
      System.out.println("  console sign-ins (admin, analyst) are in " + c.consoleCredentials() + ": hand them out, then delete it");
      return 0;
    } catch (RuntimeException e) {
      System.err.println("consilium provision: " + e.getMessage());
      return 1;
    }
  }
}
