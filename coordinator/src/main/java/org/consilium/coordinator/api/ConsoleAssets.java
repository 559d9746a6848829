package org.consilium.coordinator.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.consilium.analytics.identity.Digests;

/**
 * The console's static files, read once from the class path: the page, its script and style
 * from {@code console/}, the API's OpenAPI document from {@code api/}, and Chart.js from its WebJar (Maven Central), so nothing comes from a
 * CDN. Served with an ETag so browsers revalidate instead of keeping stale copies.
 */
final class ConsoleAssets {
  private record Asset(Buffer body, String contentType, String etag) {}

  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "app.js", "text/javascript; charset=utf-8",
      "ui.js", "text/javascript; charset=utf-8",
      "form.js", "text/javascript; charset=utf-8",
      "workbench.js", "text/javascript; charset=utf-8",
      "models.js", "text/javascript; charset=utf-8",
      "ebm.js", "text/javascript; charset=utf-8",
      "style.css", "text/css; charset=utf-8");
  private static final String OPENAPI = "openapi.yaml";
  private final Map<String, Asset> assets = new HashMap<>();

  ConsoleAssets() {
    FILES.forEach((name, type) -> put(name, "console/" + name, type));
    put(OPENAPI, "api/" + OPENAPI, "application/yaml; charset=utf-8");
    put("vendor/chart.umd.js", "META-INF/resources/webjars/chart.js/" + webJarVersion("chart.js") + "/dist/chart.umd.js",
        "text/javascript; charset=utf-8");
  }

  private void put(String name, String resource, String contentType) {
    byte[] bytes = read(resource);
    assets.put(name, new Asset(Buffer.buffer(bytes), contentType, "\"" + Digests.sha256Hex(bytes).substring(0, 32) + "\""));
  }

  /** Serves /console/{name}; /console/ is the page. */
  void serve(RoutingContext ctx, String name) {
    Asset a = assets.get(name.isEmpty() ? "index.html" : name);
    if (a == null || name.equals(OPENAPI)) {
      RestApi.error(ctx, 404, "no such resource: " + ctx.request().path());
      return;
    }
    send(ctx, a);
  }

  /** The OpenAPI document of the REST API. */
  void openApi(RoutingContext ctx) {
    send(ctx, assets.get(OPENAPI));
  }

  private static void send(RoutingContext ctx, Asset a) {
    ctx.response().putHeader("cache-control", "no-cache").putHeader("etag", a.etag);
    if (a.etag.equals(ctx.request().getHeader("if-none-match"))) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().putHeader("content-type", a.contentType).end(a.body);
  }

  private static String webJarVersion(String artifact) {
    Properties p = new Properties();
    try (InputStream in = ConsoleAssets.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties")) {
      if (in == null) throw new IllegalStateException("the " + artifact + " WebJar is not on the class path");
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static byte[] read(String resource) {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("console resource " + resource + " is missing from the class path");
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
