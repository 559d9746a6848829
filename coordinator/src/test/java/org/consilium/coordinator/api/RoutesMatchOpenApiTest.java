package org.consilium.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI document describes exactly the server's API routes: none undocumented, none
 * documented that does not exist. (That each answers as documented is checked against a
 * running consortium in the simulations module.)
 */
class RoutesMatchOpenApiTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyApiRouteIsDocumentedAndEveryDocumentedOperationIsRouted() throws Exception {
    AccessControl access = new AccessControl(vertx, null, null, null, null, null);
    Router router = RestApi.router(vertx, access, new ConsoleAssets(), new JobsApi(vertx, null, null, null, access, null),
        new ModelsApi(vertx, null, null, null, null),
        new ConsortiumApi(vertx, null, null, null, null, null, null),
        new CatalogApi(org.consilium.analytics.dictionary.DataDictionary.parse("version: 1\ndatasets:\n  d:\n    columns:\n      a: {type: numeric, lower: 0, upper: 1}\n", "test")), ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "ready")));
    TreeSet<String> routed = new TreeSet<>();
    for (Route r : router.getRoutes()) {
      String path = r.getPath();
      if (path == null || r.methods() == null || !(path.startsWith("/api/") || path.startsWith("/health"))) continue;
      r.methods().forEach(m -> routed.add(m.name() + " " + path.replaceAll(":([a-z]+)", "{$1}")));
    }
    Map<String, Object> doc;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("api/openapi.yaml")) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    }
    TreeSet<String> documented = new TreeSet<>();
    ((Map<String, Object>) doc.get("paths")).forEach((path, ops) ->
        ((Map<String, Object>) ops).keySet().forEach(m -> documented.add(m.toUpperCase() + " " + path)));
    assertEquals(documented, routed, "the routes of RestApi and the paths of api/openapi.yaml must be the same set");
  }
}
