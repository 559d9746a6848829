package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.consilium.deploy.Provisioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The built images in a real container engine: both archives loaded, a coordinator and the four
 * hospitals as containers on one network (read-only root, the image's non-root user, kits and
 * data bind-mounted), a DP statistics job through the published REST port. Skipped where no
 * engine runs (as on the machines this project is built on: ContainerImageTest runs the same
 * images there as plain processes).
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerEngineTest {
  @TempDir
  Path dir;

  @Test
  void theFourHospitalsRunAsContainersOfTheBuiltImages() throws Exception {
    String version = null;
    for (String image : List.of("consilium-coordinator", "consilium-node")) {
      Path archive = UnpackedImage.archive(image);
      String name = archive.getFileName().toString();
      version = name.substring(image.length() + 1, name.length() - ".oci.tar".length());
      try (InputStream in = Files.newInputStream(archive)) {
        DockerClientFactory.instance().client().loadImageCmd(in).exec();
      }
    }
    Map<String, Path> csv = HeartDisease.extractTo(dir.resolve("data"));
    List<Provisioner.NodePlan> plans = new ArrayList<>();
    for (String h : csv.keySet()) plans.add(new Provisioner.NodePlan(h, Map.of(HeartDisease.DATASET, Path.of("/data", h + ".csv")), Map.of()));
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("containers", dir.resolve("kits"), "coordinator", 7443, 8443,
        5701, plans, Map.of(), 0, HeartDisease.dictionaryText()));
    // The containers run as 10001: the kits must be theirs.
    new ProcessBuilder("chown", "-R", "10001:10001", dir.resolve("kits").toString()).inheritIO().start().waitFor();
    List<GenericContainer<?>> containers = new ArrayList<>();
    try (Network network = Network.newNetwork()) {
      GenericContainer<?> coordinator = hardened(new GenericContainer<>(DockerImageName.parse("consilium-coordinator:" + version)))
          .withNetwork(network).withNetworkAliases("coordinator")
          .withFileSystemBind(kits.coordinatorConfig().getParent().toString(), "/kit", BindMode.READ_WRITE)
          .withEnv("CONSILIUM_NODES_LISTENER_HOST", "0.0.0.0").withEnv("CONSILIUM_REST_HOST", "0.0.0.0")
          .withExposedPorts(8443).waitingFor(Wait.forLogMessage(".*CONSILIUM_COORDINATOR_READY.*", 1));
      containers.add(coordinator);
      coordinator.start();
      for (var e : kits.nodeConfigs().entrySet()) {
        GenericContainer<?> node = hardened(new GenericContainer<>(DockerImageName.parse("consilium-node:" + version)))
            .withNetwork(network).withFileSystemBind(e.getValue().getParent().toString(), "/kit", BindMode.READ_WRITE)
            .withFileSystemBind(dir.resolve("data").toString(), "/data", BindMode.READ_ONLY);
        containers.add(node);
        node.start();
      }
      RestClient rest = new RestClient(URI.create("https://localhost:" + coordinator.getMappedPort(8443) + "/"), kits.caCertificate(),
          kits.adminToken());
      LocalConsortium.waitFor(Duration.ofSeconds(120), "the four hospital containers online", () ->
          new JsonArray(rest.get("api/v1/nodes").body()).stream().filter(n -> ((JsonObject) n).getBoolean("online", false)).count() == 4);
      JsonObject job = LocalConsortium.awaitJob(rest, LocalConsortium.submit(rest, DefaultJob.spec("1.0")), Duration.ofSeconds(90));
      assertEquals("RELEASED", job.getString("status"), job.encodePrettily());
    } finally {
      for (GenericContainer<?> c : containers) c.stop();
    }
  }

  /** Read-only root, a tmpfs /tmp, no capabilities, no privilege escalation. */
  private static GenericContainer<?> hardened(GenericContainer<?> c) {
    return c.withTmpFs(Map.of("/tmp", "rw,size=64m")).withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
        .withReadonlyRootfs(true).withCapDrop(com.github.dockerjava.api.model.Capability.ALL)
        .withSecurityOpts(List.of("no-new-privileges:true")));
  }
}
