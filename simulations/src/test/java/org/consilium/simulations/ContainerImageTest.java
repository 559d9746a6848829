package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.consilium.deploy.Provisioner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator and node images, without a container engine: each archive is unpacked as an
 * engine would, checked (non-root user, entrypoint, mount points), and its entrypoint's Java
 * command run for the four-hospital consortium as plain processes, each in its own mount
 * namespace with the image's root read-only, the kit and data bind-mounted, /tmp a tmpfs, and
 * the image's user (unshare --root --setuid): the image's own Java runtime, C libraries (GMP
 * included: a small threshold Paillier key makes the nodes and the coordinator load it) and jars.
 */
class ContainerImageTest {
  @TempDir
  Path dir;
  private final List<Process> running = new ArrayList<>();

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void theImagesRunTheFourHospitalsAsPlainProcessesWithAReadOnlyRootAndANonRootUser() throws Exception {
    UnpackedImage coordinator = UnpackedImage.unpack(UnpackedImage.archive("consilium-coordinator"), dir.resolve("coordinator-root"));
    UnpackedImage node = UnpackedImage.unpack(UnpackedImage.archive("consilium-node"), dir.resolve("node-root"));
    for (UnpackedImage image : List.of(coordinator, node)) {
      JsonObject c = image.config().getJsonObject("config");
      assertEquals("10001:10001", c.getString("User"), "the image runs as a non-root user");
      assertEquals("/kit", c.getString("WorkingDir"));
      assertTrue(c.getJsonObject("Volumes").containsKey("/kit") && c.getJsonObject("Volumes").containsKey("/data"), c.encode());
      assertEquals("/opt/java/bin/java", image.command().get(0), "the entrypoint is the image's own Java");
      assertTrue(Files.isExecutable(image.root().resolve("opt/java/bin/java")));
      assertTrue(Files.readString(image.root().resolve("etc/passwd")).contains("consilium:x:10001:10001"));
      try (Stream<Path> all = Files.walk(image.root().resolve("opt"))) {
        assertFalse(all.anyMatch(f -> !Files.isSymbolicLink(f) && f.toFile().canWrite() && ownerIs(f, 10001)),
            "the programs are not writable by the user they run as");
      }
    }
    assertTrue(coordinator.command().contains("org.consilium.coordinator.CoordinatorMain"));
    assertTrue(node.command().contains("org.consilium.node.NodeMain"));

    boolean root = "root".equals(System.getProperty("user.name"));
    Assumptions.assumeTrue(root && Files.isExecutable(Path.of("/usr/bin/unshare")),
        "running an unpacked image needs root and unshare (mount namespaces, a new root); the images were checked above but not run");

    // Kits as an operator would make them, the data paths as the node container sees them (/data).
    Map<String, Path> csv = HeartDisease.extractTo(dir.resolve("data"));
    List<Provisioner.NodePlan> plans = new ArrayList<>();
    for (String h : csv.keySet()) plans.add(new Provisioner.NodePlan(h, Map.of(HeartDisease.DATASET, Path.of("/data", h + ".csv")), Map.of()));
    int nodesPort = freePort();
    int restPort = freePort();
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("images", dir.resolve("kits"), "127.0.0.1", nodesPort, restPort,
        freePort(), plans, Map.of(), 1024, HeartDisease.dictionaryText())); // a small threshold Paillier key: the images must load GMP
    exec("chown", "-R", "10001:10001", dir.resolve("kits").toString());
    exec("chmod", "-R", "a+rX", dir.resolve("data").toString());
    try {
      Path coordinatorKit = kits.coordinatorConfig().getParent();
      start(coordinator, coordinatorKit, null, "coordinator.log");
      for (var e : kits.nodeConfigs().entrySet()) start(node, e.getValue().getParent(), dir.resolve("data"), e.getKey() + ".log");
      RestClient rest = new RestClient(URI.create("https://127.0.0.1:" + restPort + "/"), kits.caCertificate(), kits.adminToken());
      LocalConsortium.waitFor(Duration.ofSeconds(120), "the four hospitals online, each in its container", () -> {
        for (Process p : running) if (!p.isAlive()) throw new IllegalStateException("a container exited: see the logs in " + dir);
        try {
          return new JsonArray(rest.get("api/v1/nodes").body()).stream().filter(n -> ((JsonObject) n).getBoolean("online", false)).count() == 4;
        } catch (RuntimeException notYet) {
          return false;
        }
      });
      JsonObject job = LocalConsortium.awaitJob(rest, LocalConsortium.submit(rest, DefaultJob.spec("1.0")), Duration.ofSeconds(90));
      assertEquals("RELEASED", job.getString("status"), job.encodePrettily());
      // Threshold Paillier inside the images: the nodes encrypt and partially decrypt, the coordinator checks proofs, all through GMP.
      JsonObject he = LocalConsortium.awaitJob(rest, LocalConsortium.submit(rest, DefaultJob.spec("1.0")
          .replace("\"specVersion\": 1,", "\"specVersion\": 1, \"aggregation\": \"AGGREGATION_THRESHOLD_PAILLIER\",")), Duration.ofSeconds(90));
      assertEquals("RELEASED", he.getString("status"), "a threshold Paillier job in the containers: " + he.encodePrettily());
      assertTrue(Files.exists(kits.nodeConfigs().get("cleveland").getParent().resolve("privacy-ledger.log")),
          "the node wrote its ledger into the mounted kit, not into the read-only image");
    } finally {
      for (Process p : running) p.destroy();
      for (Process p : running) if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
    }
  }

  /**
   * Runs the image's command in a new mount namespace: the root read-only, the kit at /kit and
   * the data (read-only) at /data, a fresh /tmp, /dev and /proc, as the image's user.
   */
  private void start(UnpackedImage image, Path kit, Path data, String log) throws IOException {
    String r = image.root().toString();
    StringBuilder script = new StringBuilder("set -e\n")
        .append("mount --bind '").append(r).append("' '").append(r).append("'\n")
        .append("mount --bind '").append(kit).append("' '").append(r).append("/kit'\n");
    if (data != null) {
      script.append("mount --bind '").append(data).append("' '").append(r).append("/data'\n")
          .append("mount -o remount,bind,ro '").append(r).append("/data'\n");
    }
    script.append("mount -t tmpfs -o mode=1777,size=64m tmpfs '").append(r).append("/tmp'\n")
        .append("mount --rbind /dev '").append(r).append("/dev'\n")
        .append("mount -t proc proc '").append(r).append("/proc'\n")
        .append("mount -o remount,bind,ro '").append(r).append("'\n")
        // Into the image's root and working directory as its user (the image has no shell of its own).
        .append("exec unshare --root='").append(r).append("' --wd=/kit --setgid 10001 --setuid 10001 --");
    for (String arg : image.command()) script.append(" '").append(arg).append("'");
    ProcessBuilder pb = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", script.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    running.add(pb.start());
  }

  private static boolean ownerIs(Path f, int uid) {
    try {
      return ((Integer) Files.getAttribute(f, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)) == uid;
    } catch (IOException e) {
      return false;
    }
  }

  private static void exec(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertEquals(0, p.waitFor(), String.join(" ", command));
  }
}
