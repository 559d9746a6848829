package org.consilium.coordinator.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.monitor.DriftMonitors;
import org.consilium.coordinator.registry.ModelRegistry;

/**
 * The model registry over REST: models and their versions with lineage, two versions compared,
 * a version's stage changed (administrators, with a reason, audited), and a version retrained
 * on today's data (its spec offered again to the sites connected now, as a new job).
 */
final class ModelsApi {
  private final Vertx vertx;
  private final ModelRegistry registry;
  private final DriftMonitors monitors;
  private final JobsApi jobs;
  private final AuditLog audit;

  ModelsApi(Vertx vertx, ModelRegistry registry, DriftMonitors monitors, JobsApi jobs, AuditLog audit) {
    this.vertx = vertx;
    this.registry = registry;
    this.monitors = monitors;
    this.jobs = jobs;
    this.audit = audit;
  }

  void routes(Router router, AccessControl access) {
    router.get("/api/v1/models").handler(ctx -> answer(ctx, r -> Optional.of(new JsonArray(r.list())), ""));
    router.get("/api/v1/models/:name").handler(ctx -> answer(ctx, r -> r.get(ctx.pathParam("name")), "no model '" + ctx.pathParam("name") + "'"));
    router.get("/api/v1/models/:name/versions/:version").handler(ctx -> withVersion(ctx, v -> answer(ctx,
        r -> r.version(ctx.pathParam("name"), v), "no version " + v + " of model '" + ctx.pathParam("name") + "'")));
    router.get("/api/v1/models/:name/compare").handler(this::compare);
    router.post("/api/v1/models/:name/versions/:version/stage").handler(BodyHandler.create().setBodyLimit(4096))
        .handler(access.require(Role.ADMIN)).handler(this::stage);
    router.post("/api/v1/models/:name/versions/:version/retrain").handler(this::retrain);
    router.get("/api/v1/models/:name/versions/:version/drift").handler(ctx -> withVersion(ctx, v -> answer(ctx,
        r -> r.version(ctx.pathParam("name"), v).map(x -> monitors.history(ctx.pathParam("name"), v)),
        "no version " + v + " of model '" + ctx.pathParam("name") + "'")));
    router.post("/api/v1/models/:name/versions/:version/monitors/plan").handler(BodyHandler.create().setBodyLimit(4096))
        .handler(ctx -> schedule(ctx, false));
    router.post("/api/v1/models/:name/versions/:version/monitors").handler(BodyHandler.create().setBodyLimit(4096))
        .handler(ctx -> schedule(ctx, true));
    router.get("/api/v1/monitors").handler(ctx -> answer(ctx, r -> Optional.of(new JsonArray(monitors.list())), ""));
    router.get("/api/v1/monitors/:id").handler(ctx -> answer(ctx, r -> monitors.get(ctx.pathParam("id")),
        "no monitor '" + ctx.pathParam("id") + "'"));
    router.post("/api/v1/monitors/:id/stop").handler(this::stopMonitor);
  }

  /**
   * A drift monitor's budget plan (create = false), or the monitor started (201) when the body's
   * acceptedEpsilon is the plan's epsilonTotalPerSite; 409 with the current plan otherwise.
   * Audited as drift.monitor_created.
   */
  private void schedule(RoutingContext ctx, boolean create) {
    withVersion(ctx, version -> {
      String name = ctx.pathParam("name");
      JsonObject body;
      DriftMonitors.Schedule schedule;
      try {
        body = ctx.body().asJsonObject();
        schedule = DriftMonitors.Schedule.parse(body);
      } catch (RuntimeException e) {
        RestApi.error(ctx, 400, e instanceof IllegalArgumentException && e.getMessage() != null ? e.getMessage()
            : "body: a JSON object with everySeconds, runs and epsilon");
        return;
      }
      String by = AccessControl.principal(ctx).name();
      Object accepted = body.getValue("acceptedEpsilon");
      vertx.executeBlocking(() -> {
        if (!create) return monitors.plan(name, version, schedule);
        JsonObject m = monitors.create(name, version, schedule, accepted instanceof Number n ? n.doubleValue() : null, by);
        audit.append("drift.monitor_created", m.getString("modelJobId"), "monitor", m.getString("id"), "model", name,
            "version", Integer.toString(version), "by", by, "every_seconds", Long.toString(schedule.everySeconds()),
            "runs", Integer.toString(schedule.runs()), "epsilon_per_run", Double.toString(schedule.epsilon()),
            "epsilon_total_per_site", Double.toString(m.getJsonObject("plan").getDouble("epsilonTotalPerSite")));
        return m;
      }).onSuccess(r -> {
        if (create) ctx.response().setStatusCode(201);
        ctx.json(r);
      }).onFailure(e -> {
        if (e instanceof NoSuchElementException) RestApi.error(ctx, 404, e.getMessage());
        else if (e instanceof IllegalArgumentException) RestApi.error(ctx, 400, e.getMessage());
        else if (e instanceof DriftMonitors.PlanNotAccepted p) {
          ctx.response().setStatusCode(409).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("error", p.getMessage()).put("plan", p.plan()).encode());
        } else ctx.fail(e);
      });
    });
  }

  /** Stops a monitor: the analyst who created it or an administrator; audited as drift.monitor_stopped. */
  private void stopMonitor(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Principal who = AccessControl.principal(ctx);
    vertx.executeBlocking(() -> {
      JsonObject m = monitors.get(id).orElseThrow(() -> new NoSuchElementException("no monitor '" + id + "'"));
      if (!who.role().includes(Role.ADMIN) && !who.name().equals(m.getString("createdBy"))) {
        throw new SecurityException("only the analyst who created monitor '" + id + "' or an administrator may stop it");
      }
      JsonObject stopped = monitors.stop(id, who.name());
      audit.append("drift.monitor_stopped", stopped.getString("modelJobId"), "monitor", id, "by", who.name());
      return stopped;
    }).onSuccess(ctx::json).onFailure(e -> {
      if (e instanceof NoSuchElementException) RestApi.error(ctx, 404, e.getMessage());
      else if (e instanceof SecurityException) RestApi.error(ctx, 403, e.getMessage());
      else if (e instanceof IllegalArgumentException) RestApi.error(ctx, 409, e.getMessage());
      else ctx.fail(e);
    });
  }

  private void answer(RoutingContext ctx, Function<ModelRegistry, Optional<?>> read, String notFound) {
    vertx.executeBlocking(() -> read.apply(registry)).onFailure(ctx::fail).onSuccess(found -> {
      if (found.isEmpty()) RestApi.error(ctx, 404, notFound);
      else if (found.get() instanceof JsonArray a) ctx.json(a);
      else ctx.json(found.get());
    });
  }

  private void withVersion(RoutingContext ctx, java.util.function.IntConsumer then) {
    try {
      then.accept(Integer.parseInt(ctx.pathParam("version")));
    } catch (NumberFormatException e) {
      RestApi.error(ctx, 400, "version: a version number (1, 2, ...), not '" + ctx.pathParam("version") + "'");
    }
  }

  private void compare(RoutingContext ctx) {
    int a;
    int b;
    try {
      a = Integer.parseInt(String.valueOf(ctx.request().getParam("a")));
      b = Integer.parseInt(String.valueOf(ctx.request().getParam("b")));
    } catch (NumberFormatException e) {
      RestApi.error(ctx, 400, "a and b: the two version numbers to compare, e.g. ?a=1&b=2");
      return;
    }
    String name = ctx.pathParam("name");
    answer(ctx, r -> r.compare(name, a, b), "model '" + name + "' has no version " + a + " or no version " + b);
  }

  /** Body {"stage": "approved", "reason": "..."}; audited as model.stage_changed with who and why. */
  private void stage(RoutingContext ctx) {
    withVersion(ctx, version -> {
      String name = ctx.pathParam("name");
      JsonObject body;
      try {
        body = ctx.body().asJsonObject();
      } catch (RuntimeException e) {
        body = null;
      }
      ModelRegistry.Stage stage;
      try {
        stage = ModelRegistry.Stage.valueOf(String.valueOf(body == null ? null : body.getString("stage")).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        RestApi.error(ctx, 400, "stage: one of candidate, approved, retired");
        return;
      }
      String reason = body.getString("reason");
      String by = AccessControl.principal(ctx).name();
      vertx.executeBlocking(() -> {
        JsonObject v = registry.stage(name, version, stage, reason, by);
        audit.append("model.stage_changed", v.getString("jobId"), "model", name, "version", Integer.toString(version),
            "stage", v.getString("stage"), "by", by, "reason", reason);
        return v;
      }).onSuccess(ctx::json).onFailure(e -> {
        if (e instanceof NoSuchElementException) RestApi.error(ctx, 404, e.getMessage());
        else if (e instanceof IllegalArgumentException) RestApi.error(ctx, 400, e.getMessage());
        else ctx.fail(e);
      });
    });
  }

  /** The version's spec offered again, to the sites connected now: a new job (201), which becomes the next version once released. */
  private void retrain(RoutingContext ctx) {
    withVersion(ctx, version -> {
      String name = ctx.pathParam("name");
      vertx.executeBlocking(() -> registry.version(name, version)).onFailure(ctx::fail).onSuccess(found -> {
        if (found.isEmpty()) {
          RestApi.error(ctx, 404, "no version " + version + " of model '" + name + "'");
          return;
        }
        JobSpec spec;
        try {
          spec = JobSpecs.fromJson(found.get().getJsonObject("lineage").getJsonObject("spec").encode()).toBuilder()
              .clearJobId().clearNodes().clearThreshold().clearDictionarySha256().build();
        } catch (InvalidSpecException e) {
          RestApi.error(ctx, 409, "the spec of version " + version + " no longer parses: " + e.getMessage());
          return;
        }
        jobs.submit(ctx, spec);
      });
    });
  }
}
