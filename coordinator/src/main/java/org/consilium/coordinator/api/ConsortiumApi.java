package org.consilium.coordinator.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
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
  private static final java.time.Duration AUDIT_FETCH_TIMEOUT = java.time.Duration.ofSeconds(15);
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
    router.post("/api/v1/nodes/:id/key").handler(BodyHandler.create().setBodyLimit(4096)).handler(access.require(Role.ADMIN))
        .handler(this::rotateKey);
    router.get("/api/v1/audit").handler(access.require(Role.ADMIN)).handler(this::auditTrail);
    router.get("/api/v1/metrics").handler(access.require(Role.ADMIN)).handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4").end(metrics.scrape()));
  }

  private void nodes(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      List<JsonObject> nodes = new ArrayList<>();
      // Membership is read now: a node removed or revoked since it last connected shows as no longer a member.
      state.nodes().values().forEach(s -> nodes.add(withMembership(s)));
      nodes.sort(Comparator.comparing((JsonObject j) -> j.getString("id")));
      return new JsonArray(nodes);
    }).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  /** A registry entry as the API shows it: with whether the node is a member now (it may have been removed or revoked since). */
  private JsonObject withMembership(String entry) {
    JsonObject n = new JsonObject(entry);
    return n.put("member", gateway.members().isMember(n.getString("id")));
  }

  /**
   * Pins a new certificate for a member (a site renewed or replaced its key): body
   * {"certificateSha256": "..."}. Audited with the administrator, the old and the new digest;
   * takes effect at the node's next connection.
   */
  private void rotateKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    io.vertx.core.json.JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    String digest = body == null ? null : body.getString("certificateSha256");
    if (!gateway.members().isMember(id)) {
      RestApi.error(ctx, 404, "'" + id + "' is not a member of the consortium");
      return;
    }
    if (digest == null || !digest.matches("[0-9a-f]{64}")) {
      RestApi.error(ctx, 400, "certificateSha256: the SHA-256 of the node's new certificate, 64 lower-case hex digits");
      return;
    }
    String by = AccessControl.principal(ctx).name();
    vertx.executeBlocking(() -> {
      String previous = gateway.members().rotate(id, digest);
      audit.append("node.key_rotated", "", "node", id, "by", by, "previous_sha256", previous, "certificate_sha256", digest);
      return previous;
    }).onFailure(ctx::fail).onSuccess(previous -> ctx.json(new JsonObject().put("id", id).put("certificateSha256", digest)
        .put("previousSha256", previous)));
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
      vertx.executeBlocking(() -> state.nodes().get(id)).onSuccess(s -> ctx.json(withMembership(s))).onFailure(ctx::fail);
    });
  }

  /**
   * An audit log, verified now (chain, hashes, signatures, the writer's certificate under the
   * consortium CA), newest entries first: the coordinator's own, or with ?participant= a node's,
   * fetched from the node over its connection, verified against the certificate it connected
   * with and cross-checked with the coordinator's log. ?job= narrows to one job, ?event= to one
   * kind of entry (or a prefix ending in '.', e.g. "job."), ?offset= skips the newest matching n
   * and ?limit= (at most 1000) returns the next n; matchingEntries counts all that match.
   * Reading a node's log is itself audited.
   */
  private void auditTrail(RoutingContext ctx) {
    String job = ctx.request().getParam("job");
    String participant = ctx.request().getParam("participant");
    String me = org.consilium.analytics.identity.Participants.id(self);
    Integer limit = JobsApi.boundedParam(ctx, "limit", 1, MAX_AUDIT_ENTRIES, 200);
    Integer offset = JobsApi.boundedParam(ctx, "offset", 0, Integer.MAX_VALUE, 0);
    if (limit == null || offset == null) return;
    Page page = new Page(job, ctx.request().getParam("event"), offset, limit);
    if (participant == null || participant.equals(me)) {
      vertx.executeBlocking(() -> trail(me, AuditVerifier.verify(audit.lines(), self, ca), null, page))
          .onSuccess(ctx::json).onFailure(ctx::fail);
      return;
    }
    vertx.executeBlocking(() -> state.nodes().containsKey(participant)).onFailure(ctx::fail).onSuccess(known -> {
      if (!known) {
        RestApi.error(ctx, 404, "participant: no node '" + participant + "' has ever registered");
        return;
      }
      String by = AccessControl.principal(ctx).name();
      gateway.requestAuditLog(participant, AUDIT_FETCH_TIMEOUT).onFailure(e -> {
        if (e instanceof org.consilium.coordinator.gateway.AuditUnavailableException) RestApi.error(ctx, 409, e.getMessage());
        else ctx.fail(e);
      }).onSuccess(lines -> {
        var connection = gateway.connection(participant);
        if (connection == null) {
          RestApi.error(ctx, 409, "node '" + participant + "' disconnected while sending its audit log");
          return;
        }
        X509Certificate writer = connection.certificate();
        vertx.executeBlocking(() -> {
          audit.append("audit.fetched", "", "participant", participant, "by", by, "entries", Integer.toString(lines.size()));
          AuditVerifier.Report report = AuditVerifier.verify(lines, writer, ca);
          List<String> crossCheck = AuditVerifier.crossCheck(AuditVerifier.verify(audit.lines(), self, ca).entries(), report.entries(),
              participant);
          return trail(participant, report, crossCheck, page);
        }).onSuccess(ctx::json).onFailure(ctx::fail);
      });
    });
  }

  /** Which entries of a trail to return, newest first. */
  private record Page(String job, String event, int offset, int limit) {
    boolean matches(AuditRecord r) {
      if (job != null && !job.equals(r.getJobId())) return false;
      if (event == null || event.isEmpty()) return true;
      return event.endsWith(".") ? r.getEvent().startsWith(event) : r.getEvent().equals(event);
    }
  }

  private static JsonObject trail(String writer, AuditVerifier.Report report, List<String> crossCheck, Page page) {
    JsonArray entries = new JsonArray();
    List<AuditRecord> all = report.entries();
    int matching = 0;
    for (int i = all.size() - 1; i >= 0; i--) {
      AuditRecord r = all.get(i);
      if (!page.matches(r)) continue;
      if (matching++ < page.offset() || entries.size() >= page.limit()) continue;
      JsonObject details = new JsonObject();
      for (AuditDetail d : r.getDetailsList()) details.put(d.getKey(), d.getValue());
      entries.add(new JsonObject().put("seq", r.getSeq()).put("at", r.getAt()).put("actor", r.getActor()).put("event", r.getEvent())
          .put("jobId", r.getJobId()).put("details", details));
    }
    JsonObject out = new JsonObject().put("writer", writer).put("verified", report.ok()).put("problems", new JsonArray(report.problems()))
        .put("totalEntries", all.size()).put("matchingEntries", matching).put("entries", entries);
    if (crossCheck != null) out.put("consistentWithCoordinator", crossCheck.isEmpty()).put("crossCheckProblems", new JsonArray(crossCheck));
    return out;
  }
}
