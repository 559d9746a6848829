package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.CsvLoader;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.identity.Pem;
import org.consilium.analytics.identity.RevocationList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's README, followed from the archive alone: unpack deploy's
 * consilium-VERSION.tar.gz, provision the four hospitals of its example with bin/consilium,
 * move one hospital's data into PostgreSQL as an OMOP CDM instance, check the kits, start the
 * coordinator and the nodes with their launchers and run DP statistics jobs through the REST
 * API; then a fifth site joins by certificate request without any other kit changing, takes
 * part, and is revoked. Nothing from this build's class path is used by the programs.
 */
class DistributionTest {
  @TempDir
  Path dir;
  private final List<Process> running = new ArrayList<>();

  private static Path archive() throws IOException {
    Path target = Path.of("").toAbsolutePath().getParent().resolve("deploy/target");
    try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
      return files.filter(f -> f.getFileName().toString().matches("consilium-.*\\.tar\\.gz")).findFirst().orElseThrow(() ->
          new IllegalStateException("no consilium-*.tar.gz in " + target + ": build it with ./mvnw -pl deploy -am package -DskipTests"));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private record Run(int exit, String out) {}

  private Run run(Path home, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, home.resolve(command[0]).toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), String.join(" ", command) + " did not finish");
    return new Run(p.exitValue(), out);
  }

  private Process start(Path home, String log, String... command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, home.resolve(command[0]).toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(log).toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("CONSILIUM_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    Process p = pb.start();
    running.add(p);
    return p;
  }

  @Test
  void aConsortiumRunsFromTheArchiveAloneAndASiteJoinsByRequestAndIsRevoked() throws Exception {
    Process untar = new ProcessBuilder("tar", "xzf", archive().toString(), "-C", dir.toString()).inheritIO().start();
    assertEquals(0, untar.waitFor(), "the archive unpacks");
    Path home;
    try (Stream<Path> d = Files.list(dir)) {
      home = d.filter(p -> p.getFileName().toString().startsWith("consilium-")).findFirst().orElseThrow();
    }
    LocalPostgres pg = null;
    try {
      Run help = run(home, "bin/consilium", "--help");
      assertEquals(0, help.exit(), help.out());
      for (String sub : List.of("provision", "user", "audit", "score", "check")) assertTrue(help.out().contains(sub), help.out());
      for (String file : List.of("compose.yaml", "consilium.service", "helm/consilium/Chart.yaml", "helm/consilium/README.md")) {
        assertTrue(Files.exists(home.resolve(file)), "the archive ships " + file);
      }
      verifySystemdUnit(home);

      // 1. Provision the four hospitals (README step 1).
      int nodesPort = freePort();
      int restPort = freePort();
      List<String> provision = new ArrayList<>(List.of("bin/consilium", "provision", "--out", "consortium", "--coordinator-host", "127.0.0.1",
          "--nodes-port", Integer.toString(nodesPort), "--rest-port", Integer.toString(restPort), "--cluster-port",
          Integer.toString(freePort()), "--he-key-bits", "0", "--dictionary", "examples/heart-disease/dictionary.yaml"));
      for (String h : HeartDisease.HOSPITALS.keySet()) provision.addAll(List.of("--node", h + "=heart-disease:examples/heart-disease/" + h + ".csv"));
      Run provisioned = run(home, provision.toArray(String[]::new));
      assertEquals(0, provisioned.exit(), provisioned.out());

      // 2. Cleveland keeps its records in PostgreSQL as an OMOP CDM instance (README step 3), where a server can be installed.
      pg = omopSite(home);

      Run check = run(home, "bin/consilium", "check", "--config", "consortium/nodes/cleveland/node.yaml");
      assertEquals(0, check.exit(), check.out());
      assertTrue(check.out().contains("dataset heart-disease: 303 rows"), check.out());
      if (pg != null) assertTrue(check.out().contains("jdbc:postgresql://"), "cleveland reads its database: " + check.out());
      assertTrue(check.out().contains("effective configuration") && check.out().contains("metrics.port = 0  (default)")
          && check.out().contains("budget heart-disease: cap"), "check prints the effective configuration and budgets: " + check.out());
      assertTrue(check.out().contains("coordinator 127.0.0.1:" + nodesPort + ": FAILED"), "no coordinator yet, and check says so: " + check.out());

      // 3. Coordinator and the four nodes, each its own process.
      start(home, "coordinator.log", "bin/consilium-coordinator", "--config", "consortium/coordinator/coordinator.yaml");
      for (String h : HeartDisease.HOSPITALS.keySet()) start(home, h + ".log", "bin/consilium-node", "--config", "consortium/nodes/" + h + "/node.yaml");
      String token = Files.readString(home.resolve("consortium/coordinator/admin-credential")).strip();
      RestClient rest = new RestClient(URI.create("https://127.0.0.1:" + restPort + "/"), home.resolve("consortium/ca/ca.crt"), token);
      awaitOnline(rest, List.of("cleveland", "hungarian", "switzerland", "va-long-beach"));
      assertEquals(List.copyOf(HeartDisease.HOSPITALS.keySet()).stream().sorted().toList(), contributors(rest, runJob(rest)));

      // 4. A fifth site joins by certificate request (README step 4): nothing in the other kits changes.
      String before = Files.readString(home.resolve("consortium/nodes/hungarian/node.yaml")) + Files.readString(home.resolve("consortium/nodes/hungarian/crl.pem"));
      Run request = run(home, "bin/consilium", "provision", "request", "--id", "st-elsewhere", "--out", "site5");
      assertEquals(0, request.exit(), request.out());
      Run signed = run(home, "bin/consilium", "provision", "sign", "--consortium", "consortium", "--csr", "site5/node.csr");
      assertEquals(0, signed.exit(), signed.out());
      assertTrue(signed.out().contains("admitted 'st-elsewhere'"), signed.out());
      try (Stream<Path> files = Files.list(home.resolve("consortium/sites/st-elsewhere"))) {
        for (Path f : files.toList()) Files.copy(f, home.resolve("site5").resolve(f.getFileName()));
      }
      Files.copy(home.resolve("examples/heart-disease/hungarian.csv"), home.resolve("site5/records.csv"));
      Files.writeString(home.resolve("site5/node.yaml"), Files.readString(home.resolve("site5/node.yaml"))
          + "datasets:\n  heart-disease:\n    path: 'records.csv'\n");
      // The running coordinator re-reads its members file every two seconds (and audits what changed).
      LocalConsortium.waitFor(Duration.ofSeconds(30), "the coordinator to admit the new member", () ->
          Files.readString(home.resolve("consortium/coordinator/audit.log")).contains("st-elsewhere"));
      Run checkFifth = run(home, "bin/consilium", "check", "--config", "site5/node.yaml");
      assertEquals(0, checkFifth.exit(), checkFifth.out());
      assertTrue(checkFifth.out().contains("coordinator 127.0.0.1:" + nodesPort + ": TLS OK, certificate 'coordinator'")
          && checkFifth.out().contains("admitted"), "the new site's kit reaches the coordinator and is a member: " + checkFifth.out());
      Process fifth = start(home, "st-elsewhere.log", "bin/consilium-node", "--config", "site5/node.yaml");
      awaitOnline(rest, List.of("cleveland", "hungarian", "st-elsewhere", "switzerland", "va-long-beach"));
      assertEquals(List.of("cleveland", "hungarian", "st-elsewhere", "switzerland", "va-long-beach"), contributors(rest, runJob(rest)),
          "the new site takes part in the next job");
      assertEquals(before, Files.readString(home.resolve("consortium/nodes/hungarian/node.yaml"))
          + Files.readString(home.resolve("consortium/nodes/hungarian/crl.pem")), "another site's kit is untouched by the join");

      // 5. The fifth site is revoked (README step 6): cut off, refused, and every node learns the list.
      Run revoked = run(home, "bin/consilium", "provision", "revoke", "--consortium", "consortium", "--id", "st-elsewhere", "--reason", "KEY_COMPROMISE");
      assertEquals(0, revoked.exit(), revoked.out());
      LocalConsortium.waitFor(Duration.ofSeconds(30), "the revoked site to be cut off and shown as no longer a member", () -> {
        JsonObject n = node(rest, "st-elsewhere");
        return !n.getBoolean("online") && !n.getBoolean("member");
      });
      X509Certificate ca = Pem.certificate(home.resolve("consortium/ca/ca.crt"));
      X509Certificate fifthCert = Pem.certificate(home.resolve("site5/node.crt"));
      LocalConsortium.waitFor(Duration.ofSeconds(30), "every node to keep the new revocation list", () -> {
        for (String h : HeartDisease.HOSPITALS.keySet()) {
          RevocationList list = RevocationList.parse(Files.readAllBytes(home.resolve("consortium/nodes/" + h + "/crl.pem")), ca);
          if (list.refusal(fifthCert).isEmpty()) return false;
        }
        return true;
      });
      // The audit entry is committed by the audit trail's group commit, a moment after the list is kept.
      LocalConsortium.waitFor(Duration.ofSeconds(30), "every node to audit the new list (crl.adopted)", () -> {
        for (String h : HeartDisease.HOSPITALS.keySet()) {
          if (!Files.readString(home.resolve("consortium/nodes/" + h + "/audit.log")).contains("crl.adopted")) return false;
        }
        return true;
      });
      LocalConsortium.waitFor(Duration.ofSeconds(30), "the revoked node to be told why it is refused", () ->
          Files.readString(dir.resolve("st-elsewhere.log")).contains("revoked"));
      assertTrue(fifth.isAlive() || fifth.exitValue() != 0, "the revoked node keeps trying or stops; it never gets in");
      assertEquals(List.of("cleveland", "hungarian", "switzerland", "va-long-beach"), contributors(rest, runJob(rest)),
          "the consortium goes on without the revoked site");
      String audit = Files.readString(home.resolve("consortium/coordinator/audit.log"));
      assertTrue(audit.contains("members.changed") && audit.contains("crl.updated"), "the coordinator audited both changes");

      // 6. A compromised coordinator key: once its certificate is revoked, the nodes drop it and refuse it.
      Run coordinatorRevoked = run(home, "bin/consilium", "provision", "revoke", "--consortium", "consortium", "--id", "coordinator");
      assertEquals(0, coordinatorRevoked.exit(), coordinatorRevoked.out());
      try {
        LocalConsortium.waitFor(Duration.ofSeconds(60), "every node to refuse the revoked coordinator", () -> {
          for (String h : HeartDisease.HOSPITALS.keySet()) {
            if (!Files.readString(dir.resolve(h + ".log")).contains("refusing coordinator")) return false;
          }
          return new JsonArray(rest.get("api/v1/nodes").body()).stream().noneMatch(n -> ((JsonObject) n).getBoolean("online", false));
        });
      } catch (IllegalStateException e) {
        // Say which part did not happen: a node that never refused, or one the coordinator still shows online.
        StringBuilder why = new StringBuilder(e.getMessage());
        for (String h : HeartDisease.HOSPITALS.keySet()) {
          List<String> log = Files.readAllLines(dir.resolve(h + ".log"));
          why.append("\n").append(h).append(log.stream().anyMatch(l -> l.contains("refusing coordinator")) ? " refused it" : " never refused it")
              .append("; its last lines: ").append(log.subList(Math.max(0, log.size() - 4), log.size()));
        }
        why.append("\nthe coordinator's view: ").append(rest.get("api/v1/nodes").body());
        throw new AssertionError(why.toString(), e);
      }
    } finally {
      for (Process p : running) p.destroy();
      for (Process p : running) if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
      if (pg != null) pg.close();
    }
  }

  /**
   * The node's systemd unit, checked by systemd itself (systemd-analyze verify) with the
   * distribution where the unit expects it; skipped, saying so, where systemd-analyze is missing.
   */
  private void verifySystemdUnit(Path home) throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    if (!Files.isExecutable(analyze)) {
      System.err.println("DistributionTest: no systemd-analyze here; consilium.service not verified");
      return;
    }
    Path unit = dir.resolve("consilium-node.service");
    Files.writeString(unit, Files.readString(home.resolve("consilium.service")).replace("/opt/consilium", home.toString()));
    Process p = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "systemd-analyze verify consilium.service: " + out);
  }

  /**
   * Puts cleveland's records in a fresh PostgreSQL server as an OMOP CDM instance and points its
   * dataset there; null (cleveland stays on its CSV file) where no server can be installed.
   */
  private LocalPostgres omopSite(Path home) throws Exception {
    LocalPostgres pg;
    try {
      pg = LocalPostgres.start();
    } catch (org.opentest4j.TestAbortedException e) {
      System.err.println("DistributionTest: " + e.getMessage() + "; cleveland's data stays in its CSV file");
      return null;
    }
    try (Connection c = pg.admin("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE ROLE reader LOGIN PASSWORD 'omop-Reader-1'");
      s.execute("CREATE DATABASE hospital");
    }
    Path csv = home.resolve("examples/heart-disease/cleveland.csv");
    Dataset rows;
    try (var in = Files.newInputStream(csv)) {
      rows = new CsvLoader(BadRowPolicy.FAIL, 10_000).load(csv.toString(), in);
    }
    Path kit = home.resolve("consortium/nodes/cleveland");
    OmopInstance.build(pg, "hospital", "reader", rows, kit.resolve("omop-heart.yaml"));
    Files.writeString(kit.resolve("db-password"), "omop-Reader-1");
    String yaml = Files.readString(kit.resolve("node.yaml"));
    String pathLine = yaml.lines().filter(l -> l.strip().startsWith("path:")).findFirst().orElseThrow();
    Files.writeString(kit.resolve("node.yaml"), yaml.replace(pathLine, "    jdbc_url: '" + pg.url("hospital") + "'\n"
        + "    omop_mapping: 'omop-heart.yaml'\n    user: reader\n    password_file: 'db-password'"));
    return pg;
  }

  private void awaitOnline(RestClient rest, List<String> ids) throws Exception {
    LocalConsortium.waitFor(Duration.ofSeconds(90), ids + " online", () -> {
      for (Process p : running) if (!p.isAlive()) throw new IllegalStateException("a program exited: see " + dir);
      JsonArray nodes = new JsonArray(rest.get("api/v1/nodes").body());
      return nodes.stream().map(n -> (JsonObject) n).filter(n -> n.getBoolean("online", false)).map(n -> n.getString("id")).sorted()
          .toList().equals(ids);
    });
  }

  private static JsonObject node(RestClient rest, String id) throws Exception {
    JsonArray nodes = new JsonArray(rest.get("api/v1/nodes").body());
    return nodes.stream().map(n -> (JsonObject) n).filter(n -> n.getString("id").equals(id)).findFirst().orElseThrow();
  }

  private static JsonObject runJob(RestClient rest) {
    JsonObject job = LocalConsortium.awaitJob(rest, LocalConsortium.submit(rest, DefaultJob.spec("1.0")), Duration.ofSeconds(90));
    assertEquals("RELEASED", job.getString("status"), job.encodePrettily());
    return job;
  }

  private static List<Object> contributors(RestClient rest, JsonObject job) {
    return job.getJsonObject("result").getJsonObject("accounting").getJsonArray("contributors").getList().stream().sorted().toList();
  }
}
