package org.consilium.coordinator.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.identity.Pem;
import org.consilium.coordinator.access.LoginThrottle;
import org.consilium.coordinator.access.Sessions;
import org.consilium.coordinator.access.UserStore;
import org.consilium.coordinator.config.CoordinatorConfig;
import org.consilium.coordinator.gateway.NodeGateway;
import org.consilium.coordinator.jobs.JobRunner;
import org.consilium.coordinator.state.ClusterState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTPS server: the web console under /console/ and the REST API under
 * /api/v1 (described by /api/v1/openapi.yaml). Everything under /api needs a principal
 * ({@link AccessControl}); /health and the console's static files (which hold no data) do not.
 * Errors are JSON objects with an "error" message naming the field or resource.
 */
public final class RestApi {
  private static final Logger log = LoggerFactory.getLogger(RestApi.class);
  private static final int MAX_BODY_BYTES = 1024 * 1024;
  private static final int MAX_LOGIN_BYTES = 4096;
  private final Vertx vertx;
  private final CoordinatorConfig config;
  private final ClusterState state;
  private final JobRunner runner;
  private final NodeGateway gateway;
  private final AuditLog audit;
  private final PrometheusMeterRegistry metrics;
  private final UserStore users;
  private final DataDictionary dictionary;
  private final org.consilium.coordinator.monitor.DriftMonitors monitors;
  private HttpServer server;
  private JobEvents events;

  public RestApi(Vertx vertx, CoordinatorConfig config, DataDictionary dictionary, ClusterState state, JobRunner runner,
      NodeGateway gateway, AuditLog audit,
      PrometheusMeterRegistry metrics, UserStore users, org.consilium.coordinator.monitor.DriftMonitors monitors) {
    this.monitors = monitors;
    this.vertx = vertx;
    this.config = config;
    this.state = state;
    this.runner = runner;
    this.gateway = gateway;
    this.audit = audit;
    this.metrics = metrics;
    this.users = users;
    this.dictionary = dictionary;
  }

  public Future<HttpServer> start() {
    CoordinatorConfig.Console c = config.console();
    AccessControl access = new AccessControl(vertx, users, new Sessions(state.<Sessions.Entry>sessions(), c.sessionIdle(), c.sessionMaxAge(), Clock.systemUTC()),
        new LoginThrottle(c.loginMaxFailures(), c.loginLockout(), Clock.systemUTC()),
        new AdminCredential(config.adminCredentialSha256()), audit);
    if (users.isEmpty()) log.warn("no console users in {}: only the API token can be used", c.usersFile());
    events = new JobEvents(vertx.getOrCreateContext(), state);
    events.start();
    ConsoleAssets assets = new ConsoleAssets();

    JobsApi jobs = new JobsApi(vertx, state, runner, events, access, new ModelLinks(monitors));
    Router router = router(vertx, access, assets, jobs,
        new ModelsApi(vertx, monitors.registry(), monitors, jobs, audit),
        new ConsortiumApi(vertx, state, gateway, audit, Pem.certificate(config.certificate()), Pem.certificate(config.ca()), metrics),
        new CatalogApi(dictionary), new Readiness(vertx, state, gateway::actualPort,
        () -> gateway.connectedNodes().size()));
    router.route().last().handler(ctx -> error(ctx, 404, "no such resource: " + ctx.request().path()));
    router.errorHandler(413, ctx -> error(ctx, 413, "request body larger than allowed (" + MAX_BODY_BYTES + " bytes; "
        + MAX_LOGIN_BYTES + " for a sign-in)"));
    router.errorHandler(500, ctx -> {
      log.warn("internal error on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      error(ctx, 500, "internal error");
    });
    HttpServerOptions options = new HttpServerOptions().setHost(config.restHost()).setPort(config.restPort())
        .setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.certificate().toString())
            .setKeyPath(config.privateKey().toString()))
        .setEnabledSecureTransportProtocols(org.consilium.analytics.identity.TlsPolicy.PROTOCOLS);
    org.consilium.analytics.identity.TlsPolicy.CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    server = vertx.createHttpServer(options);
    return server.requestHandler(router).listen();
  }

  /** Every route of the server: the OpenAPI document describes exactly the /api and /health ones. */
  static Router router(Vertx vertx, AccessControl access, ConsoleAssets assets, JobsApi jobs, ModelsApi models, ConsortiumApi consortium,
      CatalogApi catalog, io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> readiness) {
    Router router = Router.router(vertx);
    router.route().handler(RestApi::securityHeaders);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
    router.get("/health/ready").handler(readiness);
    router.get("/").handler(ctx -> ctx.redirect("/console/"));
    router.get("/console/*").handler(ctx -> assets.serve(ctx, ctx.pathParam("*")));

    router.route("/api/*").handler(access::authenticate);
    router.post("/api/v1/session").handler(BodyHandler.create().setBodyLimit(MAX_LOGIN_BYTES)).handler(access::login);
    router.get("/api/v1/session").handler(access::whoAmI);
    router.delete("/api/v1/session").handler(access::logout);
    router.get("/api/v1/openapi.yaml").handler(assets::openApi);
    jobs.routes(router, MAX_BODY_BYTES);
    models.routes(router, access);
    consortium.routes(router, access);
    catalog.routes(router);
    return router;
  }

  /**
   * The console runs only its own script and style (no inline code, nothing from elsewhere),
   * may not be framed, and is reachable only over HTTPS; API answers are never cached.
   */
  private static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("content-security-policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("x-frame-options", "DENY")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("strict-transport-security", "max-age=31536000");
    if (ctx.request().path().startsWith("/api/")) ctx.response().putHeader("cache-control", "no-store");
    ctx.next();
  }

  public int actualPort() {
    return server.actualPort();
  }

  static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  public Future<Void> stop() {
    if (events != null) events.stop();
    return server == null ? Future.succeededFuture() : server.close();
  }
}
