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
import org.consilium.coordinator.access.PasswordHash;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.access.UserStore;
import org.consilium.coordinator.api.AdminCredential;
import org.consilium.he.threshold.Dealer;
import org.consilium.he.wire.HeWire;

/**
 * Creates a consortium: a CA and one startup kit per participant. A kit is a folder with the CA
 * certificate, the participant's certificate and private key (PKCS#8 PEM, owner-only), and its
 * configuration file; the coordinator's kit also holds the administrator credential. The CA key
 * stays in {@code ca/} under the output folder, outside every kit, for issuing later members.
 *
 * <pre>
 *   out/ca/ca.crt, ca.key
 *   out/coordinator/{ca.crt, coordinator.crt, coordinator.key, coordinator.yaml, admin-credential,
 *                    console-users.yaml, console-credentials}
 *   out/nodes/ID/{ca.crt, node.crt, node.key, node.yaml, he-key-share.pb}
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
      List<NodePlan> nodes, Map<String, String> coordinatorSettings, int heKeyBits, String dictionary) {
    public Plan {
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

  /** Where everything went, and the admin token (also in the coordinator kit). */
  public record Consortium(Path out, Path coordinatorConfig, Map<String, Path> nodeConfigs, String adminToken, Path caCertificate,
      Path consoleCredentials) {

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
      ConsortiumPki pki = ConsortiumPki.create(plan.consortium(), Duration.ofDays(3650), rng);
      Path caDir = plan.out().resolve("ca");
      Files.createDirectories(caDir);
      String caPem = ConsortiumPki.pem(pki.caCertificate());
      write(caDir.resolve("ca.crt"), caPem, false);
      write(caDir.resolve("ca.key"), ConsortiumPki.pem(pki.caKeys().getPrivate()), true);

      Path coord = plan.out().resolve("coordinator");
      Files.createDirectories(coord);
      List<String> hosts = new ArrayList<>(List.of(plan.coordinatorHost()));
      if (!hosts.contains("localhost")) hosts.add("localhost");
      if (!hosts.contains("127.0.0.1")) hosts.add("127.0.0.1");
      ConsortiumPki.Issued c = pki.issue("coordinator", "coordinator", hosts, VALIDITY);
      write(coord.resolve("ca.crt"), caPem, false);
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
      StringBuilder cy = new StringBuilder()
          .append("# Consilium coordinator configuration; every key is documented in coordinator/README.md.\n")
          .append("coordinator:\n  id: coordinator\n")
          .append("nodes_listener:\n  host: ").append(q(plan.coordinatorHost())).append("\n  port: ").append(plan.nodesPort()).append('\n')
          .append("rest:\n  host: ").append(q(plan.coordinatorHost())).append("\n  port: ").append(plan.restPort()).append('\n')
          .append("tls:\n  certificate: coordinator.crt\n  private_key: coordinator.key\n  ca: ca.crt\n")
          .append("admin:\n  # SHA-256 of the token in ./admin-credential (the token itself is never stored here)\n")
          .append("  credential_sha256: ").append(AdminCredential.digestHex(token)).append('\n')
          .append("console:\n  users_file: console-users.yaml\n")
          .append("cluster:\n  name: ").append(q(plan.consortium())).append("\n  host: 127.0.0.1\n  port: ").append(plan.clusterPort())
          .append("\n  state_dir: state\n");
      appendSettings(cy, plan.coordinatorSettings());
      Dealer.Dealt he = null;
      if (plan.heKeyBits() > 0) {
        // Dealer key generation: the factors live only inside deal() (see he-core's README).
        he = Dealer.deal(plan.heKeyBits(), plan.nodes().size(), plan.nodes().size() / 2 + 1, rng);
        Files.write(coord.resolve("he-public-key.pb"), HeWire.toWire(he.publicKey()).toByteArray());
        cy.append("he:\n  public_key: he-public-key.pb\n");
      }
      write(coord.resolve("dictionary.yaml"), plan.dictionary(), false);
      Path coordinatorConfig = coord.resolve("coordinator.yaml");
      write(coordinatorConfig, cy.toString(), false);

      Map<String, Path> nodeConfigs = new LinkedHashMap<>();
      Map<String, String> members = new LinkedHashMap<>();
      int heParty = 0;
      for (NodePlan n : plan.nodes()) {
        Path dir = plan.out().resolve("nodes").resolve(n.id());
        Files.createDirectories(dir);
        ConsortiumPki.Issued issued = pki.issue(n.id(), "node", List.of(), VALIDITY);
        members.put(n.id(), org.consilium.coordinator.gateway.Members.fingerprint(issued.certificate()));
        write(dir.resolve("ca.crt"), caPem, false);
        write(dir.resolve("dictionary.yaml"), plan.dictionary(), false);
        write(dir.resolve("node.crt"), ConsortiumPki.pem(issued.certificate()), false);
        write(dir.resolve("node.key"), ConsortiumPki.pem(issued.keys().getPrivate()), true);
        StringBuilder ny = new StringBuilder()
            .append("# Consilium node configuration; every key is documented in node/README.md.\n")
            .append("node:\n  id: ").append(q(n.id())).append('\n')
            .append("coordinator:\n  host: ").append(q(plan.coordinatorHost())).append("\n  port: ").append(plan.nodesPort()).append('\n')
            .append("tls:\n  certificate: node.crt\n  private_key: node.key\n  ca: ca.crt\n")
            .append("storage:\n  ledger: privacy-ledger.log\n")
            .append("datasets:\n");
        n.datasets().forEach((name, path) -> ny.append("  ").append(name).append(":\n    path: ")
            .append(q(path.toAbsolutePath().toString())).append("\n    bad_rows: skip\n"));
        if (he != null) {
          Path share = dir.resolve("he-key-share.pb");
          Files.write(share, HeWire.toWire(he.shares().get(heParty++)).toByteArray());
          restrict(share);
          ny.append("he:\n  key_share: he-key-share.pb\n");
        }
        appendSettings(ny, n.settings());
        Path cfg = dir.resolve("node.yaml");
        write(cfg, ny.toString(), false);
        nodeConfigs.put(n.id(), cfg);
      }
      // The members and their certificates, pinned: a CA-issued certificate alone does not make a member.
      write(coord.resolve("members.yaml"), org.consilium.coordinator.gateway.Members.yaml(members), false);
      return new Consortium(plan.out(), coordinatorConfig, nodeConfigs, token, caDir.resolve("ca.crt"), coord.resolve("console-credentials"));
    } catch (IOException e) {
      throw new UncheckedIOException("provisioning into " + plan.out() + " failed: " + e.getMessage(), e);
    }
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
