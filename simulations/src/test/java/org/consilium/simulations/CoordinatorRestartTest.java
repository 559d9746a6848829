package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default topology, one coordinator instance: killed (SIGKILL) in the middle of a DP
 * training job and started again, it resumes the job from its durable store, and the nodes,
 * which kept the job while they redialled, finish it with it. Before, the job failed with its
 * budget spent at every node and nothing released.
 */
class CoordinatorRestartTest {
  @TempDir
  static Path work;

  @Test
  void aRestartedCoordinatorResumesTheJobItWasRunning() throws Exception {
    Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
    for (String id : HeartDisease.HOSPITALS.keySet()) {
      nodes.put(id, Map.of("policy.allowed_computations", "[statistics, train]", "debug.round_delay_ms", "200",
          "network.reconnect_seconds", "1"));
    }
    try (LocalConsortium c = LocalConsortium.start(new LocalConsortium.Options(work, nodes, Map.of("rounds.timeout_seconds", "40")))) {
      String id = c.submit(DefaultJob.dpTrainSpec("1.0", "[]"));
      LocalConsortium.waitFor(Duration.ofSeconds(60), "job " + id + " to reach step 2", () -> c.job(id).getInteger("step", 0) >= 2);
      c.killCoordinator(0);
      c.restartCoordinator(0);
      JsonObject job = c.awaitJob(id, Duration.ofMinutes(3));
      assertEquals("RELEASED", job.getString("status"), "the job resumed after the restart: " + job.encodePrettily());
      assertTrue(Files.readString(c.kits().coordinatorConfig().getParent().resolve("audit.log")).contains("\"job.taken_over\""),
          "the restarted instance records that it took the job over");
      for (Object o : new JsonArray(c.rest().get("api/v1/nodes").body())) {
        JsonObject n = (JsonObject) o;
        long reservations = n.getJsonObject("policy").getJsonArray("ledger").stream().map(JsonObject.class::cast)
            .filter(e -> id.equals(e.getString("jobId")) && "RESERVE".equals(e.getString("kind"))).count();
        assertEquals(1, reservations, n.getString("id") + " reserved once for the job");
      }
    }
  }
}
