package org.consilium.coordinator.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.consilium.analytics.audit.AuditDetail;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.audit.AuditRecord;
import org.consilium.analytics.audit.AuditVerifier;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.gateway.NodeGateway;
import org.consilium.coordinator.state.ClusterState;

/**
 * The consortium: the node registry (everyone), suspending and resuming nodes, the verified
 * audit trail and the metrics (administrators).
 */
final class ConsortiumApi {
  private static final int MAX_AUDIT_ENTRIES = 1000;
  private final Vertx vertx;
  private final ClusterState state;
  private final NodeGateway gateway;
  private final AuditLog audit;
  private final X509Certificate self;
  private final X509Certificate ca;
  private final PrometheusMeterRegistry metrics;

  ConsortiumApi(Vertx vertx, ClusterState state, NodeGateway gateway, AuditLog audit, X509Certificate self, X509Certificate ca,
      PrometheusMeterRegistry metrics) {
    this.vertx = vertx;
    this.state = state;
    this.gateway = gateway;
    this.audit = audit;
    this.self = self;
    this.ca = ca;
    this.metrics = metrics;
  }

  void routes(Router router, AccessControl access) {
    router.get("/api/v1/nodes").handler(this::nodes);
    router.post("/api/v1/nodes/:id/suspend").handler(access.require(Role.ADMIN)).handler(ctx -> suspend(ctx, true));
    router.post("/api/v1/nodes/:id/resume").handler(access.require(Role.ADMIN)).handler(ctx -> suspend(ctx, false));
    router.get("/api/v1/audit").handler(access.require(Role.ADMIN)).handler(this::auditTrail);
    router.get("/api/v1/metrics").handler(access.require(Role.ADMIN)).handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4").end(metrics.scrape()));
  }

  private void nodes(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      List<JsonObject> nodes = new ArrayList<>();
      state.nodes().values().forEach(s -> nodes.add(new JsonObject(s)));
      nodes.sort(Comparator.comparing((JsonObject j) -> j.getString("id")));
      return new JsonArray(nodes);
    }).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private void suspend(RoutingContext ctx, boolean suspend) {
    String id = ctx.pathParam("id");
    String by = AccessControl.principal(ctx).name();
    gateway.setSuspended(id, suspend).onFailure(ctx::fail).onSuccess(known -> {
      if (!known) {
        RestApi.error(ctx, 404, "no node '" + id + "' has ever registered");
        return;
      }
      audit.append(suspend ? "node.suspended" : "node.resumed", "", "node", id, "by", by);
      vertx.executeBlocking(() -> state.nodes().get(id)).onSuccess(s -> ctx.json(new JsonObject(s))).onFailure(ctx::fail);
    });
  }

  /**
   * The coordinator's own audit log, verified now (chain, hashes, signatures, certificate),
   * newest entries first; ?job= narrows to one job, ?limit= (at most 1000) to the newest n.
   */
  private void auditTrail(RoutingContext ctx) {
    String job = ctx.request().getParam("job");
    int limit;
    try {
      limit = Integer.parseInt(ctx.request().getParam("limit", "200"));
      if (limit < 1 || limit > MAX_AUDIT_ENTRIES) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      RestApi.error(ctx, 400, "limit: must be a whole number from 1 to " + MAX_AUDIT_ENTRIES);
      return;
    }
    vertx.executeBlocking(() -> {
      AuditVerifier.Report report = AuditVerifier.verify(audit.lines(), self, ca);
      JsonArray entries = new JsonArray();
      List<AuditRecord> all = report.entries();
      for (int i = all.size() - 1; i >= 0 && entries.size() < limit; i--) {
        AuditRecord r = all.get(i);
        if (job != null && !job.equals(r.getJobId())) continue;
        JsonObject details = new JsonObject();
        for (AuditDetail d : r.getDetailsList()) details.put(d.getKey(), d.getValue());
        entries.add(new JsonObject().put("seq", r.getSeq()).put("at", r.getAt()).put("actor", r.getActor()).put("event", r.getEvent())
            .put("jobId", r.getJobId()).put("details", details));
      }
      return new JsonObject().put("writer", org.consilium.analytics.identity.Participants.id(self))
          .put("verified", report.ok()).put("problems", new JsonArray(report.problems()))
          .put("totalEntries", all.size()).put("entries", entries);
    }).onSuccess(ctx::json).onFailure(ctx::fail);
  }
}
