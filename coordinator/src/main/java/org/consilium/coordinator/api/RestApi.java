package org.consilium.coordinator.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.JobSpecs;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.consilium.coordinator.jobs.JobRunner;
import org.consilium.coordinator.state.ClusterState;

/**
 * The REST API over TLS. Everything under /api requires the administrator credential as a
 * Bearer token; /health does not (it says only that the process is up). Errors are JSON objects
 * with an "error" message naming the field or resource.
 *
 * <pre>
 *   POST /api/v1/jobs              submit a job spec (JSON), 201 with the job record
 *   GET  /api/v1/jobs              all jobs, newest first
 *   GET  /api/v1/jobs/{id}         one job: status, participants per round, refusals, result
 *   GET  /api/v1/jobs/{id}/result  the released result with its privacy accounting (409 until released)
 *   GET  /api/v1/jobs/{id}/model   a training job's model as a JSON download (for consilium-score)
 *   GET  /api/v1/jobs/{id}/model-card[.md]  its model card (Mitchell et al.), JSON or Markdown
 *   GET  /api/v1/jobs/{id}/datasheet.md     a datasheet job's consortium datasheet (Gebru et al.) as Markdown
 *   GET  /api/v1/nodes             the node registry: online, last seen, datasets, policy, budgets
 *   GET  /api/v1/metrics           Prometheus metrics
 *   GET  /health                   liveness
 * </pre>
 */
public final class RestApi {
  private static final int MAX_BODY_BYTES = 1024 * 1024;
  private final Vertx vertx;
  private final CoordinatorConfig config;
  private final ClusterState state;
  private final JobRunner runner;
  private final AdminCredential admin;
  private final PrometheusMeterRegistry metrics;
  private HttpServer server;

  public RestApi(Vertx vertx, CoordinatorConfig config, ClusterState state, JobRunner runner, PrometheusMeterRegistry metrics) {
    this.vertx = vertx;
    this.config = config;
    this.state = state;
    this.runner = runner;
    this.admin = new AdminCredential(config.adminCredentialSha256());
    this.metrics = metrics;
  }

  public Future<HttpServer> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
    router.route("/api/*").handler(this::authenticate);
    router.post("/api/v1/jobs").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES)).handler(this::submit);
    router.get("/api/v1/jobs").handler(this::listJobs);
    router.get("/api/v1/jobs/:id").handler(this::getJob);
    router.get("/api/v1/jobs/:id/result").handler(this::getResult);
    router.get("/api/v1/jobs/:id/model").handler(this::getModel);
    router.get("/api/v1/jobs/:id/model-card").handler(ctx -> modelCard(ctx, false));
    router.get("/api/v1/jobs/:id/model-card.md").handler(ctx -> modelCard(ctx, true));
    router.get("/api/v1/jobs/:id/datasheet.md").handler(this::datasheet);
    router.get("/api/v1/nodes").handler(this::listNodes);
    router.get("/api/v1/metrics").handler(ctx -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4")
        .end(metrics.scrape()));
    router.route().last().handler(ctx -> error(ctx, 404, "no such resource: " + ctx.request().path()));
    router.errorHandler(413, ctx -> error(ctx, 413, "request body larger than " + MAX_BODY_BYTES + " bytes"));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal error"));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.restHost()).setPort(config.restPort())
        .setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.certificate().toString())
            .setKeyPath(config.privateKey().toString())));
    return server.requestHandler(router).listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void authenticate(RoutingContext ctx) {
    if (admin.accepts(ctx.request().getHeader("Authorization"))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"consilium\"");
      error(ctx, 401, "authentication required: send the admin credential from the startup kit as a Bearer token");
    }
  }

  private void submit(RoutingContext ctx) {
    JobSpec spec;
    try {
      spec = JobSpecs.fromJson(ctx.body().asString());
    } catch (InvalidSpecException e) {
      error(ctx, 400, "invalid job spec: " + e.getMessage());
      return;
    }
    try {
      JsonObject record = runner.submit(spec);
      ctx.response().setStatusCode(201).putHeader("Location", "/api/v1/jobs/" + record.getString("id"));
      ctx.json(record);
    } catch (JobRunner.SubmitException e) {
      error(ctx, e.status(), e.getMessage());
    }
  }

  private void listJobs(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      List<JsonObject> jobs = new ArrayList<>();
      state.jobs().values().forEach(s -> {
        JsonObject j = new JsonObject(s);
        j.remove("result");
        jobs.add(j);
      });
      jobs.sort(Comparator.comparing((JsonObject j) -> j.getString("submittedAt")).reversed());
      return new JsonArray(jobs);
    }).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private void getJob(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> state.jobs().get(id)).onSuccess(s -> {
      if (s == null) error(ctx, 404, "no job '" + id + "'");
      else ctx.json(new JsonObject(s));
    }).onFailure(ctx::fail);
  }

  private void getResult(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> state.jobs().get(id)).onSuccess(s -> {
      if (s == null) {
        error(ctx, 404, "no job '" + id + "'");
        return;
      }
      JsonObject job = new JsonObject(s);
      if (!job.containsKey("result")) error(ctx, 409, "job '" + id + "' has no result (status " + job.getString("status") + ")");
      else ctx.json(job.getJsonObject("result"));
    }).onFailure(ctx::fail);
  }

  private void getModel(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> state.jobs().get(id)).onSuccess(s -> {
      JsonObject job = s == null ? null : new JsonObject(s);
      JsonObject model = job == null || !job.containsKey("result") ? null : job.getJsonObject("result").getJsonObject("model");
      if (job == null) error(ctx, 404, "no job '" + id + "'");
      else if (model == null) error(ctx, 409, "job '" + id + "' has no trained model (status " + job.getString("status") + ")");
      else ctx.response().putHeader("content-disposition", "attachment; filename=\"" + id + "-model.json\"").putHeader("content-type",
          "application/json").end(model.encodePrettily());
    }).onFailure(ctx::fail);
  }

  /** The model card of a released training job, as JSON or Markdown. */
  private void modelCard(RoutingContext ctx, boolean markdown) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> state.jobs().get(id)).onSuccess(s -> {
      JsonObject job = s == null ? null : new JsonObject(s);
      if (job == null) {
        error(ctx, 404, "no job '" + id + "'");
        return;
      }
      if (!job.containsKey("result") || !job.getJsonObject("result").containsKey("model")) {
        error(ctx, 409, "job '" + id + "' has no trained model (status " + job.getString("status") + ")");
        return;
      }
      try {
        JobSpec spec = JobSpecs.fromJson(job.getJsonObject("spec").encode());
        org.consilium.analytics.wire.JobResult.Builder result = org.consilium.analytics.wire.JobResult.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().merge(job.getJsonObject("result").encode(), result);
        var card = org.consilium.analytics.report.ModelCards.build(spec, result.build(), job.getString("updatedAt", ""));
        if (markdown) ctx.response().putHeader("content-type", "text/markdown; charset=utf-8").end(org.consilium.analytics.report.ModelCards.markdown(card));
        else ctx.response().putHeader("content-type", "application/json").end(JobSpecs.toJson(card));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        error(ctx, 500, "stored result is not readable: " + e.getMessage());
      }
    }).onFailure(ctx::fail);
  }

  private void datasheet(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    vertx.executeBlocking(() -> state.jobs().get(id)).onSuccess(s -> {
      JsonObject job = s == null ? null : new JsonObject(s);
      if (job == null || !job.containsKey("result") || !job.getJsonObject("result").containsKey("datasheet")) {
        error(ctx, job == null ? 404 : 409, job == null ? "no job '" + id + "'" : "job '" + id + "' has no datasheet");
        return;
      }
      try {
        org.consilium.analytics.wire.Datasheet.Builder d = org.consilium.analytics.wire.Datasheet.newBuilder();
        com.google.protobuf.util.JsonFormat.parser().merge(job.getJsonObject("result").getJsonObject("datasheet").encode(), d);
        ctx.response().putHeader("content-type", "text/markdown; charset=utf-8").end(org.consilium.analytics.report.Datasheets.markdown(d.build()));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        error(ctx, 500, "stored datasheet is not readable: " + e.getMessage());
      }
    }).onFailure(ctx::fail);
  }

  private void listNodes(RoutingContext ctx) {
    vertx.executeBlocking(() -> {
      List<JsonObject> nodes = new ArrayList<>();
      state.nodes().values().forEach(s -> nodes.add(new JsonObject(s)));
      nodes.sort(Comparator.comparing((JsonObject j) -> j.getString("id")));
      return new JsonArray(nodes);
    }).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
