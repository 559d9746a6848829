package org.consilium.coordinator.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.consilium.analytics.wire.Hello;
import org.consilium.analytics.wire.PolicySummary;
import org.consilium.coordinator.state.ClusterState;

/**
 * The consortium's node registry in the cluster's {@code nodes} map, as the console and the
 * API show it: online (and through which coordinator instance), last seen, datasets, policy and
 * budgets as the node last reported them, suspension, certificate. Suspensions outlive restarts.
 */
final class NodeRegistry {
  private final Vertx vertx;
  private final ClusterState state;
  private final String instance;
  private final Set<String> suspended = ConcurrentHashMap.newKeySet();

  NodeRegistry(Vertx vertx, ClusterState state, String instance) {
    this.vertx = vertx;
    this.state = state;
    this.instance = instance;
    state.nodes().values().forEach(e -> {
      JsonObject entry = new JsonObject(e);
      if (entry.getBoolean("suspended", false)) suspended.add(entry.getString("id"));
    });
  }

  /** A node said HELLO on this instance. */
  void registered(String nodeId, Hello hello, String certificateSha256, Instant certificateNotAfter) {
    JsonObject entry = new JsonObject()
        .put("id", nodeId)
        .put("online", true)
        .put("coordinator", instance)
        .put("connectedAt", Instant.now().toString())
        .put("lastSeen", Instant.now().toString())
        .put("softwareVersion", hello.getSoftwareVersion())
        .put("datasets", new JsonArray(hello.getDatasetsList()))
        .put("policy", policyJson(hello.getPolicy()))
        .put("suspended", suspended.contains(nodeId))
        .put("certificateSha256", certificateSha256)
        .put("certificateNotAfter", certificateNotAfter.toString());
    vertx.executeBlocking(() -> state.nodes().put(nodeId, entry.encode()));
  }

  /** A node's budgets changed (it reserved or refunded epsilon). */
  void statusChanged(String nodeId, PolicySummary p) {
    updateEntry(nodeId, e -> e.put("policy", policyJson(p)).put("lastSeen", Instant.now().toString()));
  }

  static JsonObject policyJson(PolicySummary p) {
    JsonArray budgets = new JsonArray();
    p.getBudgetsList().forEach(b -> budgets.add(new JsonObject().put("dataset", b.getDataset())
        .put("epsilonCap", b.getEpsilonCap()).put("epsilonSpent", b.getEpsilonSpent())
        .put("epsilonRemaining", Math.max(0, b.getEpsilonCap() - b.getEpsilonSpent()))));
    return new JsonObject().put("allowedComputations", new JsonArray(p.getAllowedComputationsList()))
        .put("minCohortSize", p.getMinCohortSize()).put("minParties", p.getMinParties())
        .put("dpJobOverheadEpsilon", p.getDpJobOverheadEpsilon()).put("allowPerSiteRelease", p.getAllowPerSiteRelease())
        .put("secaggMinNeighbours", p.getSecaggMinNeighbours())
        .put("allowExactRelease", p.getAllowExactRelease()).put("allowedColumns", new JsonArray(p.getAllowedColumnsList()))
        .put("budgets", budgets).put("ledger", new JsonArray(p.getLedgerList().stream().map(e -> new JsonObject().put("seq", e.getSeq())
            .put("at", e.getAt()).put("kind", e.getKind()).put("dataset", e.getDataset()).put("jobId", e.getJobId())
            .put("epsilon", e.getEpsilon())).toList()));
  }

  /**
   * Suspends or resumes a node (an administrator's decision): a suspended node stays connected
   * but is offered no new jobs. Returns false if the node was never registered.
   */
  Future<Boolean> setSuspended(String nodeId, boolean suspend) {
    return vertx.executeBlocking(() -> state.nodes().containsKey(nodeId)).compose(known -> {
      if (!known) return Future.succeededFuture(false);
      if (suspend) suspended.add(nodeId);
      else suspended.remove(nodeId);
      return updateEntry(nodeId, e -> e.put("suspended", suspend)).map(true);
    });
  }

  boolean isSuspended(String nodeId) {
    return suspended.contains(nodeId);
  }

  private Future<Void> updateEntry(String id, UnaryOperator<JsonObject> change) {
    return vertx.executeBlocking(() -> {
      state.nodes().lock(id);
      try {
        String s = state.nodes().get(id);
        if (s != null) state.nodes().put(id, change.apply(new JsonObject(s)).encode());
      } finally {
        state.nodes().unlock(id);
      }
      return null;
    });
  }

  /** Marks a node offline, unless it has connected to another coordinator instance since (the registry is shared). */
  void markOffline(String id) {
    updateEntry(id, e -> instance.equals(e.getString("coordinator", instance))
        ? e.put("online", false).put("lastSeen", Instant.now().toString()) : e);
  }
}
