package org.consilium.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.coordinator.access.ConsoleUser;
import org.consilium.coordinator.access.LoginThrottle;
import org.consilium.coordinator.access.PasswordHash;
import org.consilium.coordinator.access.Role;
import org.consilium.coordinator.access.Sessions;
import org.consilium.coordinator.access.TestClock;
import org.consilium.coordinator.access.UserStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's life through the real HTTP routes (in process, plain HTTP, with a clock the test
 * moves): the cookie's flags, use within the idle time, expiry, the CSRF token on sign-out, and
 * what the audit log records.
 */
class SessionLifecycleTest {
  private static final String PASSWORD = "a long enough password";

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final TestClock clock = new TestClock();
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpServer server;
  private AuditLog audit;

  @BeforeEach
  void start() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    audit = AuditLog.open(dir.resolve("audit.log"), "coordinator", g.generateKeyPair().getPrivate());
    UserStore users = new UserStore(List.of(new ConsoleUser("alice", Role.ANALYST, PasswordHash.create(PASSWORD.toCharArray()))));
    AccessControl access = new AccessControl(vertx, users, new Sessions(Duration.ofMinutes(30), Duration.ofHours(12), clock),
        new LoginThrottle(5, Duration.ofMinutes(5), clock), new AdminCredential(AdminCredential.digestHex("api-token")), audit);
    var router = RestApi.router(vertx, access, new ConsoleAssets(), new JobsApi(vertx, null, null, null, access, null),
        new ModelsApi(vertx, null, null, null, null), new ConsortiumApi(vertx, null, null, audit, null, null, null),
        new CatalogApi(org.consilium.analytics.dictionary.DataDictionary.parse("version: 1\ndatasets:\n  d:\n    columns:\n      a: {type: numeric, lower: 0, upper: 1}\n", "test")), ctx -> ctx.json(new io.vertx.core.json.JsonObject().put("status", "ready")));
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    audit.close();
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSessionLivesWhileUsedEndsWhenIdleAndItsCookieIsLockedDown() throws Exception {
    HttpResponse<String> login = send("POST", "/api/v1/session", "{\"username\":\"alice\",\"password\":\"" + PASSWORD + "\"}",
        "content-type", "application/json");
    assertEquals(200, login.statusCode(), login.body());
    String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
    for (String flag : List.of("secure", "httponly", "samesite=strict", "path=/")) { // attribute names are case-insensitive
      assertTrue(setCookie.toLowerCase(java.util.Locale.ROOT).contains(flag), "the session cookie has " + flag + ": " + setCookie);
    }
    String cookie = setCookie.split(";", 2)[0];
    String csrf = new JsonObject(login.body()).getString("csrfToken");

    clock.advance(Duration.ofMinutes(29));
    assertEquals(200, send("GET", "/api/v1/session", null, "Cookie", cookie).statusCode(), "used within 30 minutes: live");
    clock.advance(Duration.ofMinutes(29));
    assertEquals(403, send("DELETE", "/api/v1/session", null, "Cookie", cookie).statusCode(), "sign-out without the CSRF token");
    clock.advance(Duration.ofMinutes(31));
    HttpResponse<String> expired = send("GET", "/api/v1/session", null, "Cookie", cookie);
    assertEquals(401, expired.statusCode(), "31 minutes idle: the session is over");
    assertEquals("the session has expired; sign in again", new JsonObject(expired.body()).getString("error"));
    assertEquals(401, send("DELETE", "/api/v1/session", null, "Cookie", cookie, "X-CSRF-Token", csrf).statusCode());

    List<String> log = audit.lines();
    assertTrue(log.stream().anyMatch(l -> l.contains("console.login") && l.contains("alice")), "the sign-in is audited");
    assertTrue(log.stream().noneMatch(l -> l.contains(PASSWORD)), "never the password");
  }

  @Test
  void signingInAgainEndsTheEarlierSession() throws Exception {
    String body = "{\"username\":\"alice\",\"password\":\"" + PASSWORD + "\"}";
    String first = send("POST", "/api/v1/session", body, "content-type", "application/json").headers().firstValue("set-cookie")
        .orElseThrow().split(";", 2)[0];
    HttpResponse<String> again = send("POST", "/api/v1/session", body, "content-type", "application/json", "Cookie", first);
    String second = again.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
    assertEquals(401, send("GET", "/api/v1/session", null, "Cookie", first).statusCode(), "the earlier session is over");
    assertEquals(200, send("GET", "/api/v1/session", null, "Cookie", second).statusCode(), "the new one works");
  }

  @Test
  void signingOutEndsTheSessionAtOnce() throws Exception {
    HttpResponse<String> login = send("POST", "/api/v1/session", "{\"username\":\"alice\",\"password\":\"" + PASSWORD + "\"}",
        "content-type", "application/json");
    String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
    String csrf = new JsonObject(login.body()).getString("csrfToken");
    HttpResponse<String> out = send("DELETE", "/api/v1/session", null, "Cookie", cookie, "X-CSRF-Token", csrf);
    assertEquals(204, out.statusCode());
    assertTrue(out.headers().firstValue("set-cookie").orElseThrow().contains("Max-Age=0"), "the browser is told to drop the cookie");
    assertEquals(401, send("GET", "/api/v1/session", null, "Cookie", cookie).statusCode());
    assertTrue(audit.lines().stream().anyMatch(l -> l.contains("console.logout")), "the sign-out is audited");
  }
}
