package org.consilium.simulations.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.LocalConsortium;
import org.consilium.simulations.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's access rules and the OpenAPI document, against the real coordinator of a
 * running four-hospital simulation: nothing under /api answers without a session, analysts
 * cannot reach administrator endpoints, changes need the CSRF token, and every documented
 * operation answers as documented (status and JSON shape) with real jobs of each kind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleApiTest {
  @TempDir
  static Path work;
  static LocalConsortium consortium;
  static RestClient admin;
  static RestClient analyst;
  static RestClient anonymous;
  static OpenApi openApi;
  static String statisticsJob;
  static String trainingJob;
  static String datasheetJob;

  @BeforeAll
  static void start() throws Exception {
    // The default simulation, except that switzerland keeps its audit log to itself.
    LocalConsortium.Options defaults = LocalConsortium.Options.defaults(work);
    Map<String, Map<String, String>> nodes = new java.util.HashMap<>(defaults.nodeSettings());
    Map<String, String> swiss = new java.util.HashMap<>(nodes.get("switzerland"));
    swiss.put("audit.share_with_coordinator", "false");
    // And refuses every training job when its third step starts, as a rogue participant would.
    swiss.put("debug.refuse_at_step", "2");
    nodes.put("switzerland", swiss);
    consortium = LocalConsortium.start(new LocalConsortium.Options(work, nodes, Map.of("rounds.timeout_seconds", "5")));
    var kits = consortium.kits();
    admin = consortium.rest().signIn("admin", kits.consolePassword("admin"));
    analyst = consortium.rest().signIn("analyst", kits.consolePassword("analyst"));
    anonymous = consortium.rest().anonymous();
    statisticsJob = submitAndWait(analyst, DefaultJob.spec("1.0"));
    trainingJob = submitAndWait(analyst, DefaultJob.dpTrainSpec("1.0", "[]").replace("\"nodes\": [],", ""));
    datasheetJob = submitAndWait(analyst, """
        {"specVersion": 1, "dataset": "heart-disease", "privacy": {"epsilon": 1.0},
         "datasheet": {"columns": ["chol"], "labelColumn": "num", "labelAbove": 0,
                       "group": {"column": "sex", "values": ["0", "1"]}}}""");
    RestClient.Response doc = analyst.get("api/v1/openapi.yaml");
    assertEquals(200, doc.status(), "the OpenAPI document is served to a signed-in user");
    try (var in = ConsoleApiTest.class.getClassLoader().getResourceAsStream("api/openapi.yaml")) {
      assertEquals(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), doc.body(),
          "the served document is the one live responses are validated against");
    }
    openApi = new OpenApi(doc.body());
  }

  @AfterAll
  static void stop() {
    if (consortium != null) consortium.close();
  }

  private static String submitAndWait(RestClient as, String spec) {
    RestClient.Response r = as.post("api/v1/jobs", spec);
    assertEquals(201, r.status(), "submit: " + r.body());
    String id = new JsonObject(r.body()).getString("id");
    JsonObject job = consortium.awaitJob(id, Duration.ofMinutes(2));
    assertEquals("RELEASED", job.getString("status"), "job " + id + ": " + job.encode());
    return id;
  }

  @Test
  void onlyTheSubmitterOrAnAdministratorCancelsAndOnlyWhileTheJobRuns() {
    String spec = DefaultJob.dpTrainSpec("0.2", "[\"cleveland\", \"hungarian\", \"va-long-beach\"]")
        .replace("\"holdoutFraction\": 0.25,", "\"holdoutFraction\": 0.25, \"maxRounds\": 100,");
    String byAdmin = new JsonObject(admin.post("api/v1/jobs", spec).body()).getString("id");
    RestClient.Response refused = analyst.post("api/v1/jobs/" + byAdmin + "/cancel", "{}");
    assertEquals(403, refused.status(), "an analyst cannot cancel an administrator's job: " + refused.body());
    RestClient.Response cancelled = admin.post("api/v1/jobs/" + byAdmin + "/cancel", "{}");
    assertEquals(200, cancelled.status(), cancelled.body());
    assertEquals("CANCELLED", new JsonObject(cancelled.body()).getString("status"));
    assertEquals("admin", new JsonObject(cancelled.body()).getString("cancelledBy"));
    assertEquals(409, admin.post("api/v1/jobs/" + byAdmin + "/cancel", "{}").status(), "a cancelled job cannot be cancelled again");
    assertEquals(409, analyst.post("api/v1/jobs/" + statisticsJob + "/cancel", "{}").status(), "nor a released one");
    assertEquals(404, analyst.post("api/v1/jobs/job-nowhere/cancel", "{}").status());
    RestClient.Response audit = admin.get("api/v1/audit?job=" + byAdmin + "&event=job.ended");
    assertTrue(audit.body().contains("cancelled by admin"), "the cancellation is audited: " + audit.body());
  }

  @Test
  void theRestViewOfARunningJobKeepsUpWithIt() throws Exception {
    String spec = DefaultJob.dpTrainSpec("0.2", "[\"cleveland\", \"hungarian\", \"va-long-beach\"]")
        .replace("\"holdoutFraction\": 0.25,", "\"holdoutFraction\": 0.25, \"maxRounds\": 60,");
    String id = new JsonObject(analyst.post("api/v1/jobs", spec).body()).getString("id");
    long worst = 0;
    int samples = 0;
    for (int i = 0; i < 400 && samples < 15; i++) {
      JsonObject job = new JsonObject(analyst.get("api/v1/jobs/" + id).body());
      if (!"RUNNING".equals(job.getString("status"))) {
        if (samples > 0 || !"OFFERED".equals(job.getString("status"))) break;
      }
      JsonArray rounds = job.getJsonArray("rounds");
      if ("RUNNING".equals(job.getString("status")) && rounds != null && rounds.size() > 2) {
        java.time.Instant last = java.time.Instant.parse(rounds.getJsonObject(rounds.size() - 1).getString("closedAt"));
        worst = Math.max(worst, java.time.Duration.between(last, java.time.Instant.now()).toMillis());
        samples++;
      }
      Thread.sleep(50);
    }
    assertTrue(samples >= 3, "sampled the running job " + samples + " times");
    assertTrue(worst < 1000, "the REST view was at most " + worst + " ms behind the job's last closed round (expected under 1 s)");
    consortium.awaitJob(id, Duration.ofMinutes(2));
  }

  @Test
  void aParticipantThatRefusesMidJobIsADropoutNotARefusalOfTheJob() {
    // The setup's training job ran on all four sites; switzerland "refused" when step 2 started.
    JsonObject job = consortium.job(trainingJob);
    assertEquals("RELEASED", job.getString("status"), "one participant cannot fail the job: " + job.encode());
    assertTrue(job.getJsonArray("refusals").isEmpty(), "a late refusal is not a refusal of the job");
    JsonArray contributors = job.getJsonObject("result").getJsonObject("accounting").getJsonArray("contributors");
    assertFalse(contributors.contains("switzerland"), "the result is computed without the dropout: " + contributors);
    assertEquals(3, contributors.size());
    assertTrue(admin.get("api/v1/audit?event=job.late_refusal&job=" + trainingJob).body().contains("switzerland"),
        "the late refusal is audited");
  }

  @Test
  void theJobsListPagesOnTheServer() {
    RestClient.Response first = analyst.get("api/v1/jobs?limit=1");
    assertEquals(200, first.status());
    assertEquals(1, new JsonArray(first.body()).size());
    RestClient.Response second = analyst.get("api/v1/jobs?limit=1&offset=1");
    assertNotEquals(new JsonArray(first.body()).getJsonObject(0).getString("id"), new JsonArray(second.body()).getJsonObject(0).getString("id"));
    assertEquals(400, analyst.get("api/v1/jobs?limit=0").status(), "limit names its range");
  }

  @Test
  @Order(100) // last: after every sign-in, right or wrong, of the other tests
  void noPasswordOrTokenAppearsInAnyLogOrAuditTrail() throws Exception {
    List<String> secrets = List.of(consortium.kits().consolePassword("admin"), consortium.kits().consolePassword("analyst"),
        consortium.kits().adminToken(), "not-the-password", "guess-0");
    List<Path> files = new ArrayList<>();
    try (var walk = Files.walk(consortium.work())) {
      walk.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out")).forEach(files::add);
    }
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("coordinator.log")), "the coordinator's log is among " + files);
    for (Path f : files) {
      String text = Files.readString(f);
      for (String secret : secrets) assertFalse(text.contains(secret), f + " contains a credential");
    }
  }

  @Test
  void noDocumentedEndpointAnswersWithoutASession() {
    for (OpenApi.Operation op : openApi.operations()) {
      if (op.open()) continue;
      RestClient.Response r = anonymous.send(op.method(), concrete(op.path(), statisticsJob), op.method().equals("GET") ? null : "{}");
      assertEquals(401, r.status(), op + " without a session must answer 401, got " + r.status() + " " + r.body());
      assertTrue(new JsonObject(r.body()).getString("error").contains("sign in"), op + ": the error says to sign in");
    }
  }

  @Test
  void aForgedOrExpiredCookieIsNoSession() {
    RestClient forged = consortium.rest().anonymous();
    RestClient.Response r = forged.send("GET", "api/v1/jobs", null);
    assertEquals(401, r.status());
    RestClient signedOut = consortium.rest().signIn("analyst", consortium.kits().consolePassword("analyst"));
    assertEquals(204, signedOut.send("DELETE", "api/v1/session", null).status(), "sign out");
    assertEquals(401, signedOut.get("api/v1/jobs").status(), "a signed-out session's cookie no longer works");
  }

  @Test
  void analystsCannotReachAdministratorEndpoints() {
    int adminOps = 0;
    for (OpenApi.Operation op : openApi.operations()) {
      if (!"admin".equals(op.role())) continue;
      adminOps++;
      String path = concrete(op.path(), statisticsJob);
      RestClient.Response r = analyst.send(op.method(), path, null);
      assertEquals(403, r.status(), op + " as analyst must answer 403, got " + r.status() + " " + r.body());
      assertTrue(new JsonObject(r.body()).getString("error").contains("admin role"), op + ": the error names the role");
    }
    assertTrue(adminOps >= 4, "suspend, resume, audit and metrics are administrator endpoints");
    // And nothing changed: the node an analyst tried to suspend is not suspended.
    JsonArray nodes = new JsonArray(admin.get("api/v1/nodes").body());
    nodes.forEach(n -> assertFalse(((JsonObject) n).getBoolean("suspended"), "no node was suspended by an analyst"));
  }

  @Test
  void changesWithoutTheSessionsCsrfTokenAreRefused() {
    RestClient.Response r = analyst.withoutCsrf().post("api/v1/jobs", DefaultJob.spec("0.5"));
    assertEquals(403, r.status(), "a cross-site post carries the cookie but not the token: " + r.body());
    assertTrue(r.body().contains("X-CSRF-Token"));
    RestClient.Response s = admin.withoutCsrf().post("api/v1/nodes/cleveland/suspend", null);
    assertEquals(403, s.status());
  }

  @Test
  void repeatedWrongPasswordsLockTheNameOut() {
    for (int i = 0; i < 5; i++) {
      RestClient.Response r = anonymous.post("api/v1/session", "{\"username\":\"mallory\",\"password\":\"guess-" + i + "\"}");
      assertEquals(401, r.status(), "attempt " + i + " is a wrong password");
      assertEquals("wrong user name or password", new JsonObject(r.body()).getString("error"), "no hint whether the name exists");
    }
    RestClient.Response locked = anonymous.post("api/v1/session", "{\"username\":\"mallory\",\"password\":\"guess\"}");
    assertEquals(429, locked.status(), "the sixth attempt within the lockout is refused: " + locked.body());
    assertTrue(locked.body().contains("try again in"), "says when to try again: " + locked.body());
    // The guessing slows mallory from this address, not the others: the analyst still signs in from here.
    consortium.rest().signIn("analyst", consortium.kits().consolePassword("analyst"));
    assertEquals(400, anonymous.post("api/v1/session", "{\"username\":\"x\"}").status(), "a sign-in without a password");
    assertEquals(400, anonymous.post("api/v1/session", "not json").status(), "a sign-in that is not JSON");
  }

  @Test
  void anAdministratorReadsANodesAuditLogVerifiedAndCrossCheckedUnlessTheNodeKeepsItLocal() {
    RestClient.Response r = admin.get("api/v1/audit?participant=cleveland&limit=1000");
    assertEquals(200, r.status(), r.body());
    JsonObject t = new JsonObject(r.body());
    assertEquals("cleveland", t.getString("writer"));
    assertTrue(t.getBoolean("verified"), "cleveland's log verifies under its certificate: " + t.getJsonArray("problems"));
    assertTrue(t.getBoolean("consistentWithCoordinator"), "and agrees with the coordinator's: " + t.getJsonArray("crossCheckProblems"));
    assertTrue(t.getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .anyMatch(e -> e.getString("event").equals("job.accepted") && e.getString("jobId").equals(statisticsJob)),
        "cleveland's own record of accepting the statistics job is there");

    RestClient.Response swiss = admin.get("api/v1/audit?participant=switzerland");
    assertEquals(409, swiss.status(), swiss.body());
    assertTrue(swiss.body().contains("audit.share_with_coordinator"), "the refusal names the node's setting: " + swiss.body());

    RestClient.Response own = admin.get("api/v1/audit?limit=1000");
    assertTrue(new JsonObject(own.body()).getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .anyMatch(e -> e.getString("event").equals("audit.fetched") && "cleveland".equals(e.getJsonObject("details").getString("participant"))),
        "reading a node's log is itself in the coordinator's audit trail");
  }

  @Test
  void theApiTokenStillWorksForScriptsAndTheAuditNamesWhoSubmitted() {
    RestClient.Response trail = consortium.rest().get("api/v1/audit?job=" + statisticsJob);
    assertEquals(200, trail.status(), trail.body());
    JsonObject t = new JsonObject(trail.body());
    assertTrue(t.getBoolean("verified"), "the coordinator's audit log verifies: " + t.getJsonArray("problems"));
    boolean offeredByAnalyst = t.getJsonArray("entries").stream().map(e -> (JsonObject) e)
        .anyMatch(e -> e.getString("event").equals("job.offered") && "analyst".equals(e.getJsonObject("details").getString("submitted_by")));
    assertTrue(offeredByAnalyst, "the audit trail records that 'analyst' submitted the job: " + t.encode());
  }

  @Test
  void everyDocumentedOperationAnswersAsDocumented() {
    List<String> problems = new ArrayList<>();
    for (OpenApi.Operation op : openApi.operations()) {
      for (Call call : calls(op)) {
        RestClient.Response r = call.client.send(op.method(), call.path, call.body);
        if (!op.responses().containsKey(Integer.toString(r.status()))) {
          problems.add(op + " (" + call.path + "): status " + r.status() + " is not documented; body " + abbreviate(r.body()));
          continue;
        }
        if (call.expected != 0 && r.status() != call.expected) {
          problems.add(op + " (" + call.path + "): expected " + call.expected + ", got " + r.status() + " " + abbreviate(r.body()));
        }
        String schema = openApi.jsonSchemaPointer(op, r.status());
        if (schema != null) openApi.validate(r.body(), schema).forEach(p -> problems.add(op + " " + r.status() + ": " + p));
      }
    }
    if (!problems.isEmpty()) fail("the API does not answer as its OpenAPI document says:\n  " + String.join("\n  ", problems));
  }

  private record Call(RestClient client, String path, String body, int expected) {}

  /** An hourly drift monitor of one run at epsilon 0.1: its baseline runs now, nothing else within the tests. */
  private static final String HOURLY = "{\"everySeconds\": 3600, \"runs\": 1, \"epsilon\": 0.1}";
  private static String monitor;

  /** A monitor started as documented (the plan, then its acceptance), its 201 answer validated; once per class. */
  private String monitorId() {
    if (monitor != null) return monitor;
    String at = "api/v1/models/" + modelName() + "/versions/1/monitors";
    double total = new JsonObject(analyst.post(at + "/plan", HOURLY).body()).getDouble("epsilonTotalPerSite");
    RestClient.Response r = analyst.post(at, HOURLY.replace("}", ", \"acceptedEpsilon\": " + total + "}"));
    assertEquals(201, r.status(), r.body());
    OpenApi.Operation create = openApi.operations().stream().filter(o -> o.method().equals("POST")
        && o.path().endsWith("/monitors")).findFirst().orElseThrow();
    assertEquals(List.of(), openApi.validate(r.body(), openApi.jsonSchemaPointer(create, 201)), "the 201 answer is a DriftMonitor");
    monitor = new JsonObject(r.body()).getString("id");
    return monitor;
  }

  /** The registry name of the training job's model. */
  private static String modelName() {
    JsonObject job = new JsonObject(analyst.get("api/v1/jobs/" + trainingJob).body());
    return org.consilium.coordinator.registry.ModelRegistry.name(job.getJsonObject("spec"), trainingJob);
  }

  /** Real requests for one operation: what succeeds, and the documented failures we can provoke. */
  private List<Call> calls(OpenApi.Operation op) {
    RestClient who = "admin".equals(op.role()) ? admin : analyst;
    String p = op.path();
    List<Call> calls = new ArrayList<>();
    switch (op.method() + " " + p) {
      case "POST /api/v1/session" -> {
        calls.add(new Call(anonymous, p, new JsonObject().put("username", "analyst")
            .put("password", consortium.kits().consolePassword("analyst")).encode(), 200));
        calls.add(new Call(anonymous, p, "{\"username\":\"analyst\",\"password\":\"not-the-password\"}", 401));
        calls.add(new Call(anonymous, p, "{}", 400));
        calls.add(new Call(anonymous.asForm(), p, "{\"username\":\"analyst\",\"password\":\"x\"}", 415));
      }
      case "DELETE /api/v1/session" -> calls.add(new Call(
          consortium.rest().signIn("analyst", consortium.kits().consolePassword("analyst")), p, null, 204));
      case "POST /api/v1/jobs" -> {
        calls.add(new Call(who, p, DefaultJob.spec("0.25"), 201));
        calls.add(new Call(who, p, "{\"specVersion\": 1}", 400));
        calls.add(new Call(who, p, DefaultJob.spec("0.25").replace("\"heart-disease\",", "\"heart-disease\", \"nodes\": [\"nowhere\", \"cleveland\"],"), 409));
      }
      case "GET /api/v1/jobs" -> {
        calls.add(new Call(who, p, null, 200));
        calls.add(new Call(who, p + "?status=RELEASED&computation=train", null, 200));
        calls.add(new Call(who, p + "?status=LOST", null, 400));
      }
      case "POST /api/v1/nodes/{id}/key" -> {
        // Re-pinning cleveland's own certificate: a real call that changes nothing.
        String current;
        try {
          current = org.consilium.analytics.identity.Digests.sha256Hex(org.consilium.analytics.identity.Pem.certificate(
              consortium.kits().nodeConfigs().get("cleveland").getParent().resolve("node.crt")).getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
          throw new IllegalStateException(e);
        }
        calls.add(new Call(who, concrete(p, "cleveland"), "{\"certificateSha256\": \"" + current + "\"}", 200));
        calls.add(new Call(who, concrete(p, "cleveland"), "{\"certificateSha256\": \"abc\"}", 400));
        calls.add(new Call(who, concrete(p, "nowhere"), "{\"certificateSha256\": \"" + current + "\"}", 404));
      }
      case "GET /api/v1/models/{name}" -> {
        calls.add(new Call(who, p.replace("{name}", modelName()), null, 200));
        calls.add(new Call(who, p.replace("{name}", "no-such-model"), null, 404));
      }
      case "GET /api/v1/models/{name}/versions/{version}" -> {
        calls.add(new Call(who, p.replace("{name}", modelName()).replace("{version}", "1"), null, 200));
        calls.add(new Call(who, p.replace("{name}", modelName()).replace("{version}", "99"), null, 404));
        calls.add(new Call(who, p.replace("{name}", modelName()).replace("{version}", "first"), null, 400));
      }
      case "GET /api/v1/models/{name}/compare" -> {
        calls.add(new Call(who, p.replace("{name}", modelName()) + "?a=1&b=1", null, 200));
        calls.add(new Call(who, p.replace("{name}", modelName()) + "?a=1", null, 400));
        calls.add(new Call(who, p.replace("{name}", modelName()) + "?a=1&b=99", null, 404));
      }
      case "POST /api/v1/models/{name}/versions/{version}/stage" -> {
        String at = p.replace("{name}", modelName());
        calls.add(new Call(who, at.replace("{version}", "1"), "{\"stage\": \"retired\", \"reason\": \"conformance test\"}", 200));
        calls.add(new Call(who, at.replace("{version}", "1"), "{\"stage\": \"retired\", \"reason\": \"again\"}", 400));
        calls.add(new Call(who, at.replace("{version}", "99"), "{\"stage\": \"approved\", \"reason\": \"x\"}", 404));
      }
      case "POST /api/v1/models/{name}/versions/{version}/retrain" -> {
        // A real retrain runs a training job: the registry end-to-end test does that; here only what is refused.
        calls.add(new Call(who, p.replace("{name}", modelName()).replace("{version}", "99"), null, 404));
        calls.add(new Call(who, p.replace("{name}", modelName()).replace("{version}", "first"), null, 400));
      }
      case "GET /api/v1/models/{name}/versions/{version}/drift" -> {
        calls.add(new Call(who, p.replace("{name}", modelName()).replace("{version}", "1"), null, 200));
        calls.add(new Call(who, p.replace("{name}", modelName()).replace("{version}", "99"), null, 404));
        calls.add(new Call(who, p.replace("{name}", modelName()).replace("{version}", "first"), null, 400));
      }
      case "POST /api/v1/models/{name}/versions/{version}/monitors/plan" -> {
        String at = p.replace("{name}", modelName());
        calls.add(new Call(who, at.replace("{version}", "1"), HOURLY, 200));
        calls.add(new Call(who, at.replace("{version}", "1"), "{\"everySeconds\": 3600, \"runs\": 0, \"epsilon\": 0.1}", 400));
        calls.add(new Call(who, at.replace("{version}", "99"), HOURLY, 404));
      }
      case "POST /api/v1/models/{name}/versions/{version}/monitors" -> {
        String at = p.replace("{name}", modelName());
        calls.add(new Call(who, at.replace("{version}", "1"), HOURLY, 409)); // not accepted: the plan comes back
        calls.add(new Call(who, at.replace("{version}", "1"), "not json", 400));
        calls.add(new Call(who, at.replace("{version}", "99"), HOURLY, 404));
        monitorId(); // and one accepted (201, validated there)
      }
      case "GET /api/v1/monitors/{id}" -> {
        calls.add(new Call(who, concrete(p, monitorId()), null, 200));
        calls.add(new Call(who, concrete(p, "monitor-none"), null, 404));
      }
      case "POST /api/v1/monitors/{id}/stop" -> {
        String id = monitorId();
        calls.add(new Call(who, concrete(p, id), null, 200));
        calls.add(new Call(who, concrete(p, id), null, 409));
        calls.add(new Call(who, concrete(p, "monitor-none"), null, 404));
      }
      case "GET /api/v1/datasets/{id}" -> {
        calls.add(new Call(who, concrete(p, "heart-disease"), null, 200));
        calls.add(new Call(who, concrete(p, "nowhere"), null, 404));
      }
      case "GET /api/v1/audit" -> {
        calls.add(new Call(who, p + "?limit=5", null, 200));
        calls.add(new Call(who, p + "?participant=cleveland&limit=5", null, 200));
        calls.add(new Call(who, p + "?participant=nowhere", null, 404));
        calls.add(new Call(who, p + "?participant=switzerland", null, 409));
        calls.add(new Call(who, p + "?limit=0", null, 400));
      }
      default -> {
        if (p.contains("{id}") && p.startsWith("/api/v1/jobs")) {
          String expectedForDatasheet = p.endsWith("datasheet.md") ? "" : null;
          for (String job : List.of(statisticsJob, trainingJob, datasheetJob)) {
            int expected = 0;
            if (p.endsWith("/model") || p.contains("model-card")) expected = job.equals(trainingJob) ? 200 : 409;
            if (expectedForDatasheet != null) expected = job.equals(datasheetJob) ? 200 : 409;
            calls.add(new Call(who, concrete(p, job), null, expected));
          }
          calls.add(new Call(who, concrete(p, "job-does-not-exist"), null, 404));
        } else if (p.contains("{id}")) {
          calls.add(new Call(who, concrete(p, "cleveland"), null, 200));
          calls.add(new Call(who, concrete(p, "nowhere"), null, 404));
          if (p.endsWith("/suspend")) calls.add(new Call(who, concrete("/api/v1/nodes/{id}/resume", "cleveland"), null, 200));
        } else {
          calls.add(new Call(who, p, null, 200));
        }
      }
    }
    return calls;
  }

  private static String concrete(String path, String id) {
    return path.replaceAll("\\{[a-z]+\\}", id).substring(1);
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
