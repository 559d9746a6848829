package org.consilium.coordinator.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.consilium.analytics.report.Datasheets;
import org.consilium.analytics.report.ModelCards;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.jobs.JobRunner;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.coordinator.state.JobStore;

/**
 * Jobs: submit, list (filtered), read, follow live (server-sent events), and the released
 * outputs (result, model, model card, datasheet). Analysts and administrators alike.
 */
final class JobsApi {
  private static final Set<String> STATUSES = java.util.Arrays.stream(JobStatus.values())
      .filter(v -> v != JobStatus.JOB_STATUS_UNSPECIFIED && v != JobStatus.UNRECOGNIZED).map(Enum::name)
      .collect(java.util.stream.Collectors.toSet());
  private static final Set<String> COMPUTATIONS = Set.of("statistics", "train", "datasheet", "drift");
  private static final long KEEPALIVE_MS = 15_000;
  private final ModelLinks links;
  private final Vertx vertx;
  private final ClusterState state;
  private final JobRunner runner;
  private final JobEvents events;
  private final AccessControl access;

  JobsApi(Vertx vertx, ClusterState state, JobRunner runner, JobEvents events, AccessControl access, ModelLinks links) {
    this.links = links;
    this.vertx = vertx;
    this.state = state;
    this.runner = runner;
    this.events = events;
    this.access = access;
  }

  void routes(Router router, int maxBodyBytes) {
    router.post("/api/v1/jobs").handler(BodyHandler.create().setBodyLimit(maxBodyBytes)).handler(this::submit);
    router.get("/api/v1/jobs").handler(this::list);
    router.get("/api/v1/jobs/:id").handler(ctx -> withJob(ctx, job -> ctx.json(job)));
    router.get("/api/v1/jobs/:id/events").handler(this::follow);
    router.post("/api/v1/jobs/:id/cancel").handler(this::cancel);
    router.get("/api/v1/jobs/:id/result").handler(ctx -> withJob(ctx, job -> {
      if (!job.containsKey("result")) RestApi.error(ctx, 409, "job '" + job.getString("id") + "' has no result (status " + job.getString("status") + ")");
      else ctx.json(job.getJsonObject("result"));
    }));
    router.get("/api/v1/jobs/:id/model").handler(ctx -> withReleased(ctx, "model", "trained model", (job, result) -> ctx.response()
        .putHeader("content-disposition", "attachment; filename=\"" + job.getString("id") + "-model.json\"")
        .putHeader("content-type", "application/json").end(job.getJsonObject("result").getJsonObject("model").encodePrettily())));
    router.get("/api/v1/jobs/:id/model-card").handler(ctx -> withReleased(ctx, "model", "trained model", (job, result) -> card(job, result)
        .onFailure(ctx::fail).onSuccess(card -> ctx.response().putHeader("content-type", "application/json").end(JobSpecs.toJson(card)))));
    router.get("/api/v1/jobs/:id/model-card.md").handler(ctx -> withReleased(ctx, "model", "trained model", (job, result) -> card(job, result)
        .onFailure(ctx::fail).onSuccess(card -> ctx.response().putHeader("content-type", "text/markdown; charset=utf-8")
            .end(ModelCards.markdown(card)))));
    router.get("/api/v1/jobs/:id/datasheet.md").handler(ctx -> withReleased(ctx, "datasheet", "datasheet", (job, result) -> vertx
        .executeBlocking(() -> result.getDatasheet().toBuilder().addAllModels(links.citing(job.getString("id"))).build())
        .onFailure(ctx::fail).onSuccess(sheet -> ctx.response().putHeader("content-type", "text/markdown; charset=utf-8")
            .end(Datasheets.markdown(sheet)))));
  }

  private void submit(RoutingContext ctx) {
    JobSpec spec;
    try {
      spec = JobSpecs.fromJson(ctx.body().asString());
    } catch (InvalidSpecException e) {
      RestApi.error(ctx, 400, "invalid job spec: " + e.getMessage());
      return;
    }
    submit(ctx, spec);
  }

  /** Offers a job (the caller's): 201 with its record, 400 for a spec the policy refuses, 409 when it cannot run now. */
  void submit(RoutingContext ctx, JobSpec spec) {
    try {
      runner.submit(spec, AccessControl.principal(ctx).name()).onFailure(ctx::fail).onSuccess(record -> {
        ctx.response().setStatusCode(201).putHeader("Location", "/api/v1/jobs/" + record.getString("id"));
        ctx.json(record);
      });
    } catch (org.consilium.coordinator.jobs.JobSubmission.SubmitException e) {
      RestApi.error(ctx, e.kind() == org.consilium.coordinator.jobs.JobSubmission.SubmitException.Kind.INVALID_SPEC ? 400 : 409, e.getMessage());
    }
  }

  /** All jobs, newest first, without their results; ?status= and ?computation= filter. */
  private void list(RoutingContext ctx) {
    String status = ctx.request().getParam("status");
    String computation = ctx.request().getParam("computation");
    Integer limit = boundedParam(ctx, "limit", 1, 500, 100);
    Integer offset = boundedParam(ctx, "offset", 0, Integer.MAX_VALUE, 0);
    if (limit == null || offset == null) return;
    if (status != null && !STATUSES.contains(status)) {
      RestApi.error(ctx, 400, "status: must be one of " + new java.util.TreeSet<>(STATUSES) + ", not '" + status + "'");
      return;
    }
    if (computation != null && !COMPUTATIONS.contains(computation)) {
      RestApi.error(ctx, 400, "computation: must be one of " + new java.util.TreeSet<>(COMPUTATIONS) + ", not '" + computation + "'");
      return;
    }
    vertx.executeBlocking(() -> {
      List<JsonObject> jobs = new ArrayList<>();
      state.jobs().values().forEach(s -> {
        JsonObject j = new JsonObject(s);
        if (status != null && !status.equals(j.getString("status"))) return;
        if (computation != null && !computation.equals(j.getString("computation"))) return;
        j.remove("result");
        jobs.add(j);
      });
      jobs.sort(Comparator.comparing((JsonObject j) -> j.getString("submittedAt")).reversed());
      return jobs;
    }).onSuccess(jobs -> {
      int from = Math.min(offset, jobs.size());
      int to = (int) Math.min((long) from + limit, jobs.size());
      ctx.response().putHeader("X-Total-Count", Integer.toString(jobs.size()));
      ctx.json(new JsonArray(jobs.subList(from, to)));
    }).onFailure(ctx::fail);
  }

  /** A whole-number query parameter in [min, max] (fallback when absent), or null after answering 400 naming it. */
  static Integer boundedParam(RoutingContext ctx, String name, int min, int max, int fallback) {
    String v = ctx.request().getParam(name);
    if (v == null) return fallback;
    try {
      int x = Integer.parseInt(v);
      if (x >= min && x <= max) return x;
    } catch (NumberFormatException e) {
      // answered below
    }
    RestApi.error(ctx, 400, name + ": must be a whole number from " + min + " to " + max + ", not '" + v + "'");
    return null;
  }

  /**
   * Server-sent events: the job record now ("job" events), again at every change, until a final
   * status; then the stream ends. The subscription starts before the first read so that no change
   * falls in between (a client keeps the record with the latest updatedAt). Comments keep proxies
   * from closing an idle stream; the stream also ends when the session expires.
   */
  private void follow(RoutingContext ctx) {
    Principal who = AccessControl.principal(ctx);
    String id = ctx.pathParam("id");
    HttpServerResponse res = ctx.response();
    boolean[] started = {false};
    List<JsonObject> early = new ArrayList<>();
    Runnable[] cancel = new Runnable[1];
    long[] timer = {-1};
    Runnable end = () -> {
      cancel[0].run();
      if (timer[0] >= 0) vertx.cancelTimer(timer[0]);
      if (!res.ended() && !res.closed()) res.end();
    };
    java.util.function.Consumer<JsonObject> send = job -> {
      if (res.ended() || res.closed()) return;
      res.write("event: job\ndata: " + job.encode() + "\n\n");
      if (JobStore.isFinal(job.getString("status"))) end.run();
    };
    cancel[0] = events.subscribe(id, update -> {
      if (started[0]) send.accept(update);
      else early.add(update);
    });
    vertx.executeBlocking(() -> state.jobs().get(id)).onFailure(e -> {
      cancel[0].run();
      ctx.fail(e);
    }).onSuccess(s -> {
      if (s == null) {
        cancel[0].run();
        RestApi.error(ctx, 404, "no job '" + id + "'");
        return;
      }
      res.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8").putHeader("cache-control", "no-store");
      res.closeHandler(v -> end.run());
      res.write("retry: 3000\n\n");
      started[0] = true;
      send.accept(new JsonObject(s));
      early.forEach(send);
      if (res.ended()) return;
      timer[0] = vertx.setPeriodic(KEEPALIVE_MS, t -> {
        if (!access.stillLive(who)) {
          res.write("event: expired\ndata: {}\n\n");
          end.run();
        } else if (!res.ended() && !res.closed()) {
          res.write(": keep-alive\n\n");
        }
      });
    });
  }

  /** Cancels a job that has not finished: its submitter or an administrator may. */
  private void cancel(RoutingContext ctx) {
    Principal who = AccessControl.principal(ctx);
    withJob(ctx, job -> {
      if (!who.role().includes(Role.ADMIN) && !who.name().equals(job.getString("submittedBy"))) {
        RestApi.error(ctx, 403, "only the analyst who submitted job '" + job.getString("id") + "' or an administrator may cancel it");
      } else if (JobStore.isFinal(job.getString("status"))) {
        RestApi.error(ctx, 409, "job '" + job.getString("id") + "' has already ended (" + job.getString("status") + ")");
      } else {
        runner.cancel(job.getString("id"), who.name()).ifPresentOrElse(ctx::json, () -> {
          // Another instance of the cluster drives it: ask it; the record shows CANCELLED once it has.
          runner.requestCancel(job.getString("id"), who.name());
          ctx.response().setStatusCode(202);
          ctx.json(job.copy().put("cancelRequested", true));
        });
      }
    });
  }

  private void withJob(RoutingContext ctx, java.util.function.Consumer<JsonObject> then) {
    String id = ctx.pathParam("id");
    // A job running here: its live record (the stored one may be a few writes behind).
    var live = runner == null ? java.util.Optional.<JsonObject>empty() : runner.live(id);
    if (live.isPresent()) {
      then.accept(live.get());
      return;
    }
    vertx.executeBlocking(() -> state.jobs().get(id)).onSuccess(s -> {
      if (s == null) RestApi.error(ctx, 404, "no job '" + id + "'");
      else then.accept(new JsonObject(s));
    }).onFailure(ctx::fail);
  }

  /** The job and its released result, parsed, if the result has the part (model, datasheet); 409 otherwise. */
  private void withReleased(RoutingContext ctx, String part, String what, java.util.function.BiConsumer<JsonObject, JobResult> then) {
    withJob(ctx, job -> {
      JsonObject result = job.getJsonObject("result");
      if (result == null || !result.containsKey(part)) {
        RestApi.error(ctx, 409, "job '" + job.getString("id") + "' has no " + what + " (status " + job.getString("status") + ")");
        return;
      }
      try {
        JobResult.Builder r = JobResult.newBuilder();
        JsonFormat.parser().merge(result.encode(), r);
        then.accept(job, r.build());
      } catch (InvalidProtocolBufferException e) {
        RestApi.error(ctx, 500, "stored result is not readable: " + e.getMessage());
      }
    });
  }

  /** The job's model card with its registry entry (datasheet, drift history) as they stand now. */
  private io.vertx.core.Future<org.consilium.analytics.wire.ModelCard> card(JsonObject job, JobResult result) {
    return vertx.executeBlocking(() -> {
      org.consilium.analytics.wire.ModelCard card;
      try {
        card = ModelCards.build(JobSpecs.fromJson(job.getJsonObject("spec").encode()), result, job.getString("updatedAt", ""));
      } catch (InvalidSpecException e) {
        throw new IllegalStateException("stored spec is not readable: " + e.getMessage(), e);
      }
      return links.ofModel(job.getString("id")).map(r -> card.toBuilder().setRegistry(r).build()).orElse(card);
    });
  }
}
