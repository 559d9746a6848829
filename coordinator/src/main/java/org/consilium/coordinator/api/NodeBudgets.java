package org.consilium.coordinator.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.consilium.coordinator.state.ClusterState;

/**
 * The budget each node has left per dataset, as the nodes last reported it (what the console
 * shows), as the metric consilium_node_budget_remaining_epsilon{node, dataset}; refreshed from
 * the cluster's node registry every 15 seconds, off the event loop.
 */
public final class NodeBudgets {
  private static final long REFRESH_MS = 15_000;

  private NodeBudgets() {}

  public static void register(Vertx vertx, ClusterState state, MeterRegistry registry) {
    MultiGauge gauge = MultiGauge.builder("consilium_node_budget_remaining_epsilon")
        .description("epsilon a node may still spend on a dataset, as the node last reported it").register(registry);
    vertx.setPeriodic(0, REFRESH_MS, t -> vertx.executeBlocking(() -> {
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      for (String entry : state.nodes().values()) {
        JsonObject n = new JsonObject(entry);
        JsonObject policy = n.getJsonObject("policy", new JsonObject());
        policy.getJsonArray("budgets", new io.vertx.core.json.JsonArray()).forEach(b -> {
          JsonObject budget = (JsonObject) b;
          rows.add(MultiGauge.Row.of(Tags.of("node", n.getString("id"), "dataset", budget.getString("dataset")),
              budget.getDouble("epsilonRemaining", 0.0)));
        });
      }
      gauge.register(rows, true);
      return null;
    }, false)); // unordered: a slow read of the cluster store must not hold up the job journal's ordered writes

  }
}
