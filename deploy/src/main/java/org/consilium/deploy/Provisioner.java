package org.consilium.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.coordinator.access.ConsoleUser;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.consilium.coordinator.access.PasswordHash;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.access.UserStore;
import org.consilium.coordinator.api.AdminCredential;
import org.consilium.he.threshold.Dealer;
import org.consilium.he.codec.HeWire;

/**
 * Creates a consortium: a CA and one startup kit per participant. A kit is a folder with the CA
 * certificate, the participant's certificate and private key (PKCS#8 PEM, owner-only), and its
 * configuration file; the coordinator's kit also holds the administrator credential. The CA key
 * stays in {@code ca/} under the output folder, outside every kit, for issuing later members.
 *
 * <pre>
 *   out/ca/ca.crt, ca.key, crl.pem, issued/ID-SERIAL.crt
 *   out/coordinator/{ca.crt, crl.pem, coordinator.crt, coordinator.key, coordinator.yaml, members.yaml,
 *                    admin-credential, console-users.yaml, console-credentials}
 *   out/nodes/ID/{ca.crt, crl.pem, node.crt, node.key, node.yaml, he-key-share.pb}
 *   (and out/coordinator/he-public-key.pb when a threshold Paillier key is dealt)
 * </pre>
 */
public final class Provisioner {
  private static final Duration VALIDITY = Duration.ofDays(825);

  /** One node to provision: its id, its datasets (name to CSV file), and extra config lines. */
  public record NodePlan(String id, Map<String, Path> datasets, Map<String, String> settings) {
    public NodePlan {
      datasets = new LinkedHashMap<>(datasets);
      settings = new LinkedHashMap<>(settings);
    }
  }

  /**
   * What to provision. Ports of 0 let the programs pick free ones. dictionary is the
   * consortium's data dictionary (YAML text), written unchanged into every kit: every node
   * dataset must be one of its datasets.
   */
  public record Plan(String consortium, Path out, String coordinatorHost, int nodesPort, int restPort, int clusterPort,
      List<NodePlan> nodes, Map<String, String> coordinatorSettings, int heKeyBits, String dictionary, List<Replica> replicas) {
    /** One coordinator instance (the default one alone). */
    public Plan(String consortium, Path out, String coordinatorHost, int nodesPort, int restPort, int clusterPort,
        List<NodePlan> nodes, Map<String, String> coordinatorSettings, int heKeyBits, String dictionary) {
      this(consortium, out, coordinatorHost, nodesPort, restPort, clusterPort, nodes, coordinatorSettings, heKeyBits, dictionary, List.of());
    }

    public Plan {
      replicas = List.copyOf(replicas);
      if (!replicas.isEmpty() && (nodesPort == 0 || clusterPort == 0 || replicas.stream().anyMatch(r -> r.nodesPort() == 0 || r.clusterPort() == 0))) {
        throw new IllegalArgumentException("with several coordinator instances every nodes and cluster port must be fixed (not 0): "
            + "nodes list each instance and the instances list each other");
      }
      nodes = List.copyOf(nodes);
      coordinatorSettings = new LinkedHashMap<>(coordinatorSettings);
      DataDictionary d = DataDictionary.parse(dictionary, "the data dictionary");
      for (NodePlan n : nodes) {
        for (String name : n.datasets().keySet()) {
          if (!d.datasets().containsKey(name)) {
            throw new IllegalArgumentException("node " + n.id() + ": dataset '" + name + "' is not in the data dictionary " + d.datasets().keySet());
          }
        }
      }
    }
  }

  /** A further coordinator instance of a highly available coordinator: its own ports, state and audit log. */
  public record Replica(int nodesPort, int restPort, int clusterPort) {}

  /**
   * Where everything went, and the admin token (also in the coordinator kit). replicaConfigs are
   * the configuration files of the further coordinator instances (coordinator-2.yaml, ...), in
   * the same kit: the instances share certificates, users and members, not state.
   */
  public record Consortium(Path out, Path coordinatorConfig, Map<String, Path> nodeConfigs, String adminToken, Path caCertificate,
      Path consoleCredentials, List<Path> replicaConfigs) {

    /** The console password made at provisioning for user (admin or analyst), read from the credentials file. */
    public String consolePassword(String user) {
      try {
        return Files.readAllLines(consoleCredentials).stream().filter(l -> l.startsWith(user + ": "))
            .map(l -> l.substring(user.length() + 2).strip()).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no console user '" + user + "' in " + consoleCredentials));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private Provisioner() {}

  public static Consortium provision(Plan plan) {
    SecureRandom rng = new SecureRandom();
    try {
      Files.createDirectories(plan.out());
      if (Files.exists(plan.out().resolve("ca"))) {
        throw new FileAlreadyExistsException(plan.out().resolve("ca") + " (refusing to overwrite an existing consortium)");
      }
      Path caDir = plan.out().resolve("ca");
      CaFolder ca = CaFolder.create(caDir, plan.consortium(), rng);
      ConsortiumPki pki = ca.pki();
      String caPem = ConsortiumPki.pem(pki.caCertificate());
      String crlPem = Files.readString(ca.revocationListFile());

      Path coord = plan.out().resolve("coordinator");
      Files.createDirectories(coord);
      List<String> hosts = new ArrayList<>(List.of(plan.coordinatorHost()));
      if (!hosts.contains("localhost")) hosts.add("localhost");
      if (!hosts.contains("127.0.0.1")) hosts.add("127.0.0.1");
      ConsortiumPki.Issued c = pki.issue("coordinator", "coordinator", hosts, VALIDITY);
      ca.record(c.certificate());
      write(coord.resolve("ca.crt"), caPem, false);
      write(coord.resolve("crl.pem"), crlPem, false);
      write(coord.resolve("coordinator.crt"), ConsortiumPki.pem(c.certificate()), false);
      write(coord.resolve("coordinator.key"), ConsortiumPki.pem(c.keys().getPrivate()), true);
      byte[] tokenBytes = new byte[32];
      rng.nextBytes(tokenBytes);
      String token = HexFormat.of().formatHex(tokenBytes);
      write(coord.resolve("admin-credential"), token + "\n", true);
      // Two console accounts to start with; more with consilium-user. Only hashes go in the kit's users file.
      StringBuilder signIns = new StringBuilder("# Console sign-ins made at provisioning: hand each to its user, then delete this file.\n");
      List<ConsoleUser> consoleUsers = new ArrayList<>();
      for (Role role : List.of(Role.ADMIN, Role.ANALYST)) {
        char[] password = UserStore.randomPassword(rng);
        consoleUsers.add(new ConsoleUser(role.label(), role, PasswordHash.create(password)));
        signIns.append(role.label()).append(": ").append(password).append('\n');
      }
      write(coord.resolve("console-users.yaml"), UserStore.yaml(consoleUsers), true);
      write(coord.resolve("console-credentials"), signIns.toString(), true);
      List<Replica> instances = new ArrayList<>(List.of(new Replica(plan.nodesPort(), plan.restPort(), plan.clusterPort())));
      instances.addAll(plan.replicas());
      Dealer.Dealt he = null;
      if (plan.heKeyBits() > 0) {
        // Dealer key generation: the factors live only inside deal() (see he-core's README).
        he = Dealer.deal(plan.heKeyBits(), plan.nodes().size(), plan.nodes().size() / 2 + 1, rng);
        Files.write(coord.resolve("he-public-key.pb"), HeWire.toWire(he.publicKey()).toByteArray());
      }
      write(coord.resolve("dictionary.yaml"), plan.dictionary(), false);
      // One configuration per coordinator instance; each lists the others' cluster ports and keeps its own state and audit log.
      List<Path> instanceConfigs = new ArrayList<>();
      for (int i = 0; i < instances.size(); i++) {
        Replica r = instances.get(i);
        String suffix = i == 0 ? "" : "-" + (i + 1);
        Map<String, Map<String, String>> cy = new LinkedHashMap<>();
        cy.put("coordinator", new LinkedHashMap<>(Map.of("id", "coordinator" + suffix)));
        cy.put("nodes_listener", section("host", q(plan.coordinatorHost()), "port", Integer.toString(r.nodesPort())));
        cy.put("rest", section("host", q(plan.coordinatorHost()), "port", Integer.toString(r.restPort())));
        cy.put("tls", section("certificate", "coordinator.crt", "private_key", "coordinator.key", "ca", "ca.crt", "crl", "crl.pem"));
        cy.put("admin", section("credential_sha256", AdminCredential.digestHex(token))); // the token itself is only in ./admin-credential
        cy.put("console", section("users_file", "console-users.yaml"));
        cy.put("cluster", section("name", q(plan.consortium()), "host", "127.0.0.1", "port", Integer.toString(r.clusterPort()),
            "state_dir", "state" + suffix));
        List<String> others = new ArrayList<>();
        for (Replica o : instances) if (o != r) others.add("'127.0.0.1:" + o.clusterPort() + "'");
        if (!others.isEmpty()) cy.get("cluster").put("members", "[" + String.join(", ", others) + "]");
        if (i > 0) cy.put("storage", section("audit_log", "audit" + suffix + ".log"));
        if (he != null) cy.put("he", section("public_key", "he-public-key.pb"));
        plan.coordinatorSettings().forEach((k, v) -> {
          int dot = k.indexOf('.');
          if (dot < 0) throw new IllegalArgumentException("setting '" + k + "' must be section.key");
          cy.computeIfAbsent(k.substring(0, dot), x -> new LinkedHashMap<>()).put(k.substring(dot + 1), v);
        });
        StringBuilder text = new StringBuilder("# Consilium coordinator configuration; every key is documented in coordinator/README.md.\n");
        cy.forEach((section, kv) -> {
          text.append(section).append(":\n");
          kv.forEach((k, v) -> text.append("  # ").append(summary(CoordinatorConfig.SCHEMA, section + "." + k)).append('\n')
              .append("  ").append(k).append(": ").append(v).append('\n'));
        });
        Path config = coord.resolve("coordinator" + suffix + ".yaml");
        write(config, text.toString(), false);
        instanceConfigs.add(config);
      }
      Path coordinatorConfig = instanceConfigs.get(0);

      Map<String, Path> nodeConfigs = new LinkedHashMap<>();
      Map<String, String> members = new LinkedHashMap<>();
      int heParty = 0;
      for (NodePlan n : plan.nodes()) {
        Path dir = plan.out().resolve("nodes").resolve(n.id());
        Files.createDirectories(dir);
        ConsortiumPki.Issued issued = pki.issue(n.id(), "node", List.of(), VALIDITY);
        members.put(n.id(), org.consilium.coordinator.gateway.Members.fingerprint(issued.certificate()));
        ca.record(issued.certificate());
        write(dir.resolve("ca.crt"), caPem, false);
        write(dir.resolve("crl.pem"), crlPem, false);
        write(dir.resolve("dictionary.yaml"), plan.dictionary(), false);
        write(dir.resolve("node.crt"), ConsortiumPki.pem(issued.certificate()), false);
        write(dir.resolve("node.key"), ConsortiumPki.pem(issued.keys().getPrivate()), true);
        StringBuilder ny = new StringBuilder(nodeConfigHead(n.id(), plan.coordinatorHost(),
            instances.stream().map(Replica::nodesPort).toList())).append("datasets:\n");
        Map<String, String> others = new LinkedHashMap<>(n.settings());
        n.datasets().forEach((name, path) -> {
          // A dataset's own settings (datasets.NAME.delimiter, ...) belong in its block, not in a second datasets section.
          String prefix = "datasets." + name + ".";
          ny.append("  ").append(name).append(":\n    path: ").append(q(path.toAbsolutePath().toString())).append('\n');
          if (!n.settings().containsKey(prefix + "bad_rows")) ny.append("    bad_rows: skip\n");
          n.settings().forEach((k, v) -> {
            if (k.startsWith(prefix)) ny.append("    ").append(k.substring(prefix.length())).append(": ").append(v).append('\n');
          });
          others.keySet().removeIf(k -> k.startsWith(prefix));
        });
        if (he != null) {
          Path share = dir.resolve("he-key-share.pb");
          Files.write(share, HeWire.toWire(he.shares().get(heParty++)).toByteArray());
          restrict(share);
          ny.append("he:\n  key_share: he-key-share.pb\n");
        }
        appendSettings(ny, others);
        Path cfg = dir.resolve("node.yaml");
        write(cfg, ny.toString(), false);
        nodeConfigs.put(n.id(), cfg);
      }
      // The members and their certificates, pinned: a CA-issued certificate alone does not make a member.
      write(coord.resolve("members.yaml"), org.consilium.coordinator.gateway.Members.yaml(members), false);
      return new Consortium(plan.out(), coordinatorConfig, nodeConfigs, token, caDir.resolve("ca.crt"), coord.resolve("console-credentials"),
          instanceConfigs.subList(1, instanceConfigs.size()));
    } catch (IOException e) {
      throw new UncheckedIOException("provisioning into " + plan.out() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The start of a node's configuration: its id, the coordinator instances it dials (host and
   * each instance's node port), its kit files and its ledger. Its datasets follow.
   */
  static String nodeConfigHead(String id, String coordinatorHost, List<Integer> nodePorts) {
    return "# Consilium node configuration; every key is documented in node/README.md.\n"
        + "node:\n  id: " + q(id) + '\n'
        + "coordinator:\n  host: " + q(coordinatorHost) + "\n  port: " + nodePorts.get(0) + '\n'
        + (nodePorts.size() < 2 ? "" : "  endpoints: [" + String.join(", ", nodePorts.stream()
            .map(p -> "'" + coordinatorHost + ":" + p + "'").toList()) + "]\n")
        + "tls:\n  certificate: node.crt\n  private_key: node.key\n  ca: ca.crt\n  crl: crl.pem\n"
        + "storage:\n  ledger: privacy-ledger.log\n";
  }

  /** The first clause of a setting's meaning in the schema, as a comment above it in a kit's file. */
  private static String summary(List<org.consilium.analytics.config.ConfigKey> schema, String key) {
    String doc = schema.stream().filter(k -> k.name().equals(key)).findFirst().map(org.consilium.analytics.config.ConfigKey::doc)
        .orElse("");
    int end = doc.indexOf(';');
    return (end < 0 ? doc : doc.substring(0, end)).replace("`", "");
  }

  /** A YAML section's keys and (already quoted) values, in order. */
  private static Map<String, String> section(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) m.put(keysAndValues[i], keysAndValues[i + 1]);
    return m;
  }

  /** Extra settings as dotted keys ("policy.epsilon_cap") rendered as nested YAML. */
  private static void appendSettings(StringBuilder y, Map<String, String> settings) {
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    settings.forEach((k, v) -> {
      int dot = k.indexOf('.');
      if (dot < 0) throw new IllegalArgumentException("setting '" + k + "' must be section.key");
      sections.computeIfAbsent(k.substring(0, dot), s -> new LinkedHashMap<>()).put(k.substring(dot + 1), v);
    });
    sections.forEach((section, kv) -> {
      y.append(section).append(":\n");
      kv.forEach((k, v) -> y.append("  ").append(k).append(": ").append(v).append('\n'));
    });
  }

  private static String q(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static void write(Path file, String text, boolean secret) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    if (secret) restrict(file);
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // Not a POSIX file system: the kit's folder permissions are the operator's to set.
    }
  }
}
