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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution, from the archive alone: unpack deploy's consilium-VERSION.tar.gz, provision
 * the four hospitals of its example with bin/consilium, check a node kit, start the coordinator
 * and the four nodes with their launchers, and run a DP statistics job through the REST API.
 * Nothing from this build's class path is used by the programs.
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
  void aConsortiumRunsFromTheArchiveAlone() throws Exception {
    Process untar = new ProcessBuilder("tar", "xzf", archive().toString(), "-C", dir.toString()).inheritIO().start();
    assertEquals(0, untar.waitFor(), "the archive unpacks");
    Path home;
    try (Stream<Path> d = Files.list(dir)) {
      home = d.filter(p -> p.getFileName().toString().startsWith("consilium-")).findFirst().orElseThrow();
    }
    try {
      Run help = run(home, "bin/consilium", "--help");
      assertEquals(0, help.exit(), help.out());
      for (String sub : List.of("provision", "user", "audit", "score", "check")) assertTrue(help.out().contains(sub), help.out());

      int nodesPort = freePort();
      int restPort = freePort();
      List<String> provision = new ArrayList<>(List.of("bin/consilium", "provision", "--out", "consortium", "--coordinator-host", "127.0.0.1",
          "--nodes-port", Integer.toString(nodesPort), "--rest-port", Integer.toString(restPort), "--cluster-port",
          Integer.toString(freePort()), "--he-key-bits", "0", "--dictionary", "examples/heart-disease/dictionary.yaml"));
      for (String h : HeartDisease.HOSPITALS.keySet()) provision.addAll(List.of("--node", h + "=heart-disease:examples/heart-disease/" + h + ".csv"));
      Run provisioned = run(home, provision.toArray(String[]::new));
      assertEquals(0, provisioned.exit(), provisioned.out());

      Run check = run(home, "bin/consilium", "check", "--config", "consortium/nodes/cleveland/node.yaml");
      assertEquals(0, check.exit(), check.out());
      assertTrue(check.out().contains("dataset heart-disease: 303 rows"), check.out());

      start(home, "coordinator.log", "bin/consilium-coordinator", "--config", "consortium/coordinator/coordinator.yaml");
      for (String h : HeartDisease.HOSPITALS.keySet()) start(home, h + ".log", "bin/consilium-node", "--config", "consortium/nodes/" + h + "/node.yaml");
      String token = Files.readString(home.resolve("consortium/coordinator/admin-credential")).strip();
      RestClient rest = new RestClient(URI.create("https://127.0.0.1:" + restPort + "/"), home.resolve("consortium/ca/ca.crt"), token);
      LocalConsortium.waitFor(Duration.ofSeconds(90), "the four nodes online", () -> {
        for (Process p : running) if (!p.isAlive()) throw new IllegalStateException("a program exited: see " + dir);
        JsonArray nodes = new JsonArray(rest.get("api/v1/nodes").body());
        return nodes.stream().filter(n -> ((JsonObject) n).getBoolean("online", false)).count() == 4;
      });
      RestClient.Response submitted = rest.post("api/v1/jobs", DefaultJob.spec("1.0"));
      assertEquals(201, submitted.status(), submitted.body());
      String id = new JsonObject(submitted.body()).getString("id");
      JsonObject[] job = new JsonObject[1];
      LocalConsortium.waitFor(Duration.ofSeconds(90), "the job to end", () -> {
        job[0] = new JsonObject(rest.get("api/v1/jobs/" + id).body());
        return org.consilium.coordinator.state.JobStore.isFinal(job[0].getString("status"));
      });
      assertEquals("RELEASED", job[0].getString("status"), job[0].encodePrettily());
    } finally {
      for (Process p : running) p.destroy();
      for (Process p : running) if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
    }
  }
}
