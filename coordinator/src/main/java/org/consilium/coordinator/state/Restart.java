package org.consilium.coordinator.state;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.wire.JobStatus;

/**
 * What a coordinator that starts alone finds in the durable store from before its restart, set
 * right: node connections did not survive (every node is offline until it says HELLO again),
 * and jobs that were offered or running without a stored state to resume from (written by an
 * older version) cannot finish, so they end FAILED, and the audit log says so. Jobs with a stored
 * state are resumed by the job runner. When other instances are up, they hold the connections and the jobs: nothing is
 * touched.
 */
public final class Restart {
  private Restart() {}

  /** How many nodes were marked offline and jobs failed. */
  public record Settled(int nodesOffline, int jobsFailed) {}

  public static Settled settle(ClusterState state, AuditLog audit) {
    if (state.clusterSize() > 1) return new Settled(0, 0);
    String now = Instant.now().toString();
    int offline = 0;
    for (Map.Entry<String, String> e : state.nodes().entrySet()) {
      JsonObject node = new JsonObject(e.getValue());
      if (node.getBoolean("online", false)) {
        state.nodes().put(e.getKey(), node.put("online", false).encode());
        offline++;
      }
    }
    int failed = 0;
    for (Map.Entry<String, String> e : state.jobs().entrySet()) {
      JsonObject job = new JsonObject(e.getValue());
      String status = job.getString("status");
      // A job with a stored state is resumed (JobRunner.adoptOrphans); one without cannot be.
      if (JobStore.isFinal(status) || state.jobStates().containsKey(e.getKey())) continue;
      String error = "the coordinator restarted while the job was " + status.toLowerCase(java.util.Locale.ROOT) + "; nothing was released";
      state.jobs().put(e.getKey(), job.put("status", JobStatus.FAILED.name()).put("error", error).put("updatedAt", now).encode());
      audit.append("job.ended", e.getKey(), "status", JobStatus.FAILED.name(), "error", error);
      failed++;
    }
    return new Settled(offline, failed);
  }
}
