package org.consilium.coordinator.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import org.consilium.coordinator.state.ClusterState;

/**
 * GET /health/ready: whether this instance can do its work now, for a load balancer or a
 * Kubernetes readiness probe (/health only says the process is up). Ready when the cluster's job
 * store answers a read within two seconds and the node gateway listens; 503 otherwise, naming
 * the failing check. It tells an unauthenticated caller nothing about jobs or nodes beyond counts.
 */
final class Readiness implements Handler<RoutingContext> {
  private static final long STORE_TIMEOUT_MS = 2_000;
  private final Vertx vertx;
  private final ClusterState state;
  private final java.util.function.IntSupplier gatewayPort;
  private final java.util.function.IntSupplier nodesConnected;

  /** gatewayPort is the node gateway's listening port (0 when it does not listen). */
  Readiness(Vertx vertx, ClusterState state, java.util.function.IntSupplier gatewayPort, java.util.function.IntSupplier nodesConnected) {
    this.vertx = vertx;
    this.state = state;
    this.gatewayPort = gatewayPort;
    this.nodesConnected = nodesConnected;
  }

  @Override
  public void handle(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      JsonObject checks = new JsonObject();
      boolean ready = true;
      try {
        state.jobStates().getAsync("readiness-probe").toCompletableFuture().get(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        checks.put("job_store", "ok (" + state.clusterSize() + " coordinator instance(s) in the cluster)");
      } catch (Exception e) {
        ready = false;
        checks.put("job_store", "no answer within " + STORE_TIMEOUT_MS + " ms: " + e.getClass().getSimpleName());
      }
      int port = gatewayPort.getAsInt();
      checks.put("node_gateway", port > 0 ? "listening on " + port : "not listening");
      ready &= port > 0;
      checks.put("nodes_connected", nodesConnected.getAsInt());
      return new JsonObject().put("status", ready ? "ready" : "not_ready").put("checks", checks);
    }, false).onComplete(r -> {
      JsonObject body = r.succeeded() ? r.result() : new JsonObject().put("status", "not_ready")
          .put("checks", new JsonObject().put("probe", String.valueOf(r.cause())));
      ctx.response().setStatusCode("ready".equals(body.getString("status")) ? 200 : 503)
          .putHeader("content-type", "application/json").end(body.encode());
    });
  }
}
