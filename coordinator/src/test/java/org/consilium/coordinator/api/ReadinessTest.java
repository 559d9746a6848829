package org.consilium.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.consilium.coordinator.state.ClusterState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /health/ready against a real (one-member) Hazelcast cluster: ready, and not ready naming why. */
class ReadinessTest {
  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private record Answer(int status, JsonObject body) {}

  private Answer ask(ClusterState state, IntSupplier gatewayPort) throws Exception {
    Router router = Router.router(vertx);
    router.get("/health/ready").handler(new Readiness(vertx, state, gatewayPort, () -> 2));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.actualPort() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), new JsonObject(r.body()));
    } finally {
      server.close();
    }
  }

  @Test
  void readyWhenTheStoreAnswersAndTheGatewayListensElseItSaysWhatFailed() throws Exception {
    ClusterState state = new ClusterState("ready", "127.0.0.1", freePort(), List.of(), dir.resolve("state"));
    try {
      Answer ok = ask(state, () -> 7443);
      assertEquals(200, ok.status(), ok.body().encode());
      assertEquals("ready", ok.body().getString("status"));
      assertEquals("ok (1 coordinator instance(s) in the cluster)", ok.body().getJsonObject("checks").getString("job_store"));
      assertEquals(2, ok.body().getJsonObject("checks").getInteger("nodes_connected"));

      Answer deaf = ask(state, () -> 0);
      assertEquals(503, deaf.status());
      assertEquals("not listening", deaf.body().getJsonObject("checks").getString("node_gateway"), deaf.body().encode());
    } finally {
      state.close();
    }
    Answer gone = ask(state, () -> 7443); // the Hazelcast member has shut down
    assertEquals(503, gone.status(), gone.body().encode());
    assertEquals("not_ready", gone.body().getString("status"));
    assertTrue(gone.body().getJsonObject("checks").getString("job_store").startsWith("no answer within 2000 ms"), gone.body().encode());
  }
}
