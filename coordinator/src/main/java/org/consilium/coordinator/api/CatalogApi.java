package org.consilium.coordinator.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.consilium.analytics.dictionary.ColumnDefinition;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.dictionary.DatasetDictionary;

/**
 * The dataset catalog: the consortium's data dictionary as the API and the console show it
 * (columns with types, units, public bounds and coded categories with their labels). It is
 * public consortium knowledge, provisioned, never read from any site's data.
 */
final class CatalogApi {
  private final DataDictionary dictionary;

  CatalogApi(DataDictionary dictionary) {
    this.dictionary = dictionary;
  }

  void routes(Router router) {
    router.get("/api/v1/datasets").handler(this::list);
    router.get("/api/v1/datasets/:id").handler(this::one);
  }

  private void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    dictionary.datasets().values().forEach(d -> out.add(json(d)));
    ctx.json(new JsonObject().put("version", dictionary.version()).put("sha256", dictionary.digest()).put("datasets", out));
  }

  private void one(RoutingContext ctx) {
    DatasetDictionary d = dictionary.datasets().get(ctx.pathParam("id"));
    if (d == null) {
      RestApi.error(ctx, 404, "no dataset '" + ctx.pathParam("id") + "' in the data dictionary");
      return;
    }
    ctx.json(json(d).put("version", dictionary.version()).put("sha256", dictionary.digest()));
  }

  static JsonObject json(DatasetDictionary d) {
    JsonArray columns = new JsonArray();
    for (ColumnDefinition c : d.columns().values()) {
      JsonObject col = new JsonObject().put("name", c.name()).put("type", c.categorical() ? "categorical" : "numeric")
          .put("unit", c.unit()).put("lower", c.lower()).put("upper", c.upper()).put("description", c.description());
      if (c.categorical()) {
        JsonArray codes = new JsonArray();
        c.codes().forEach((code, label) -> codes.add(new JsonObject().put("code", ColumnDefinition.format(code)).put("label", label)));
        col.put("codes", codes);
      }
      columns.add(col);
    }
    return new JsonObject().put("name", d.name()).put("description", d.description()).put("columns", columns);
  }
}
