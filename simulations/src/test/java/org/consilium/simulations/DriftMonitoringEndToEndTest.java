package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.consilium.coordinator.registry.ModelRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift monitoring across the four hospital processes: a registered model is monitored on a
 * schedule accepted with its budget plan; ten runs on unchanged data raise no alert at the
 * default threshold; after cleveland's ages move by ten years, the next run raises an alert
 * naming cleveland and age, in the monitor, the audit log and the metrics; every run is in each
 * site's ledger. The model card and the datasheet link each other and the drift history.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriftMonitoringEndToEndTest {
  private static final double EPSILON_PER_RUN = 2;
  @TempDir
  static Path work;
  private LocalConsortium consortium;

  @BeforeAll
  void start() {
    Map<String, Map<String, String>> settings = new HashMap<>();
    for (String id : HeartDisease.HOSPITALS.keySet()) {
      settings.put(id, new HashMap<>(Map.of("policy.allowed_computations", "[statistics, train, datasheet, drift]",
          "policy.allow_exact_release", "true", "policy.epsilon_cap", "40")));
    }
    consortium = LocalConsortium.start(new LocalConsortium.Options(work, settings, Map.of()));
  }

  @AfterAll
  void stop() {
    if (consortium != null) consortium.close();
  }

  /**
   * Three of the model's eight features: the noise on each grows with their number, and at
   * epsilon 2 with all eight a 10-year shift at a 300-row site clears the bar only about half the
   * time (PSI 0.37 to 0.61 against threshold + floor near 0.38); with three, as in DriftTest, always.
   */
  private String schedule(int runs) {
    return "{\"everySeconds\": 1, \"runs\": " + runs + ", \"epsilon\": " + EPSILON_PER_RUN
        + ", \"features\": [\"age\", \"trestbps\", \"thalach\"]}";
  }

  private JsonObject awaitMonitor(String id, Duration timeout) {
    JsonObject[] last = new JsonObject[1];
    LocalConsortium.waitFor(timeout, "monitor " + id + " to complete", () -> {
      last[0] = new JsonObject(consortium.rest().get("api/v1/monitors/" + id).body());
      return !"active".equals(last[0].getString("status"));
    });
    return last[0];
  }

  @Test
  void aScheduledMonitorStaysQuietOnUnchangedDataAndNamesTheShiftedSiteAndFeature() {
    JsonObject datasheet = consortium.awaitJob(consortium.submit("""
        {"specVersion": 1, "dataset": "heart-disease", "privacy": {"epsilon": 0.3},
         "datasheet": {"columns": ["chol"], "labelColumn": "num", "labelAbove": 0, "group": {"column": "sex", "values": ["0", "1"]}}}"""),
        Duration.ofMinutes(1));
    assertEquals("RELEASED", datasheet.getString("status"), datasheet.encodePrettily());
    JsonObject trained = consortium.awaitJob(consortium.submit(DefaultJob.trainSpec("AGGREGATION_MASKING")), Duration.ofMinutes(2));
    assertEquals("RELEASED", trained.getString("status"), trained.encodePrettily());
    String name = ModelRegistry.name(trained.getJsonObject("spec"), trained.getString("id"));
    String monitors = "api/v1/models/" + name + "/versions/1/monitors";

    // The plan first: a baseline run and ten measurements, each the run's epsilon plus the cohort test's.
    RestClient.Response planned = consortium.rest().post(monitors + "/plan", schedule(10));
    assertEquals(200, planned.status(), planned.body());
    JsonObject plan = new JsonObject(planned.body());
    assertTrue(plan.getBoolean("baselineRun"), plan.encodePrettily());
    assertTrue(plan.getBoolean("perSite") && plan.getBoolean("feasible"), plan.encodePrettily());
    double total = plan.getDouble("epsilonTotalPerSite");
    assertEquals(11 * (EPSILON_PER_RUN + 0.05), total, 1e-9, "11 runs of epsilon 2 plus the cohort test's 0.05");
    plan.getJsonArray("sites").forEach(s -> assertEquals(40 - 0.35, ((JsonObject) s).getDouble("epsilonRemaining"), 1e-9,
        "the cap less the datasheet's 0.3 + 0.05: " + s));
    assertEquals(409, consortium.rest().post(monitors, schedule(10)).status(), "a schedule without its plan's acceptance");
    RestClient.Response wrong = consortium.rest().post(monitors, schedule(10).replace("}", ", \"acceptedEpsilon\": 1}"));
    assertEquals(409, wrong.status(), wrong.body());
    assertEquals(total, new JsonObject(wrong.body()).getJsonObject("plan").getDouble("epsilonTotalPerSite"), 1e-12, "the 409 shows the plan");
    assertEquals(400, consortium.rest().post(monitors + "/plan", "{\"everySeconds\": 0, \"runs\": 1, \"epsilon\": 1}").status());

    RestClient.Response created = consortium.rest().post(monitors, schedule(10).replace("}", ", \"acceptedEpsilon\": " + total + "}"));
    assertEquals(201, created.status(), created.body());
    JsonObject quiet = awaitMonitor(new JsonObject(created.body()).getString("id"), Duration.ofMinutes(3));
    assertEquals("completed", quiet.getString("status"), quiet.encodePrettily());
    JsonArray history = quiet.getJsonArray("history");
    assertEquals(11, history.size(), "the baseline and ten runs: " + history.encodePrettily());
    JsonObject baseline = history.getJsonObject(0);
    assertTrue(baseline.getBoolean("baseline"), baseline.encodePrettily());
    assertEquals(new JsonArray(), baseline.getJsonArray("sitesWhoseDataChangedSinceTraining"), "the baseline is on the training data");
    for (int i = 1; i < history.size(); i++) {
      JsonObject run = history.getJsonObject(i);
      assertEquals("RELEASED", run.getString("status"), run.encodePrettily());
      assertEquals(new JsonArray(), run.getJsonArray("alerts"), "run " + i + " on unchanged data at the default threshold: "
          + run.getJsonObject("report").encodePrettily());
      assertEquals(4 * 4, run.getJsonObject("report").getJsonArray("features").size(), "3 features and the score at 4 sites");
    }

    // Every run is in every site's ledger.
    Set<String> runJobs = history.stream().map(r -> ((JsonObject) r).getString("jobId")).collect(Collectors.toSet());
    for (Object o : new JsonArray(consortium.rest().get("api/v1/nodes").body())) {
      JsonObject n = (JsonObject) o;
      Set<String> reserved = n.getJsonObject("policy").getJsonArray("ledger").stream().map(JsonObject.class::cast)
          .filter(e -> "RESERVE".equals(e.getString("kind"))).map(e -> e.getString("jobId")).collect(Collectors.toSet());
      assertTrue(reserved.containsAll(runJobs), n.getString("id") + " reserved budget for every run");
    }

    // Cleveland's patients are now ten years older; the node is restarted on its new data.
    HeartDisease.shift(consortium.datasets().get("cleveland"), "age", 10);
    consortium.restartNode("cleveland");
    RestClient.Response second = consortium.rest().post(monitors + "/plan", schedule(1));
    JsonObject plan2 = new JsonObject(second.body());
    assertFalse(plan2.getBoolean("baselineRun"), "the version keeps its baseline: " + plan2.encodePrettily());
    RestClient.Response again = consortium.rest().post(monitors, schedule(1).replace("}", ", \"acceptedEpsilon\": "
        + plan2.getDouble("epsilonTotalPerSite") + "}"));
    assertEquals(201, again.status(), again.body());
    JsonObject shifted = awaitMonitor(new JsonObject(again.body()).getString("id"), Duration.ofMinutes(2));
    JsonArray alerts = shifted.getJsonArray("history").getJsonObject(0).getJsonArray("alerts");
    assertTrue(alerts.stream().map(JsonObject.class::cast).anyMatch(a -> a.getString("site").equals("cleveland")
        && a.getString("feature").equals("age")), "an alert naming cleveland and age: " + shifted.encodePrettily());
    alerts.forEach(a -> assertEquals("cleveland", ((JsonObject) a).getString("site"), "only cleveland changed: " + a));

    JsonArray audited = new JsonObject(consortium.rest().get("api/v1/audit?event=drift.alert").body()).getJsonArray("entries");
    assertTrue(audited.stream().map(e -> ((JsonObject) e).getJsonObject("details"))
        .anyMatch(d -> "cleveland".equals(d.getString("site")) && "age".equals(d.getString("feature"))), audited.encodePrettily());
    String metrics = consortium.rest().get("api/v1/metrics").body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("consilium_drift_alerts_total") && l.contains("site=\"cleveland\"")
        && l.contains("feature=\"age\"")), "the alert is counted in the metrics");
    assertTrue(metrics.contains("consilium_drift_psi{"), "the latest PSIs are gauges");

    // The model card and the datasheet link each other and the drift history.
    JsonObject card = new JsonObject(consortium.rest().get("api/v1/jobs/" + trained.getString("id") + "/model-card").body());
    JsonObject registry = card.getJsonObject("registry");
    assertEquals(name, registry.getString("model"), card.encodePrettily());
    assertEquals(datasheet.getString("id"), registry.getString("datasheetJobId"), "the card names the datasheet of its data");
    assertEquals("/api/v1/models/" + name + "/versions/1/drift", registry.getString("driftHistory"));
    assertEquals(11, registry.getInteger("driftRuns"), "ten quiet runs and the one after the shift");
    assertTrue(registry.getJsonArray("recentAlerts").stream().anyMatch(a -> a.toString().startsWith("cleveland / age")), card.encode());
    String cardText = consortium.rest().get("api/v1/jobs/" + trained.getString("id") + "/model-card.md").body();
    assertTrue(cardText.contains("## Registry, data and drift") && cardText.contains(datasheet.getString("id")), cardText);
    String sheetText = consortium.rest().get("api/v1/jobs/" + datasheet.getString("id") + "/datasheet.md").body();
    assertTrue(sheetText.contains("## Models trained on this data") && sheetText.contains(name)
        && sheetText.contains("/api/v1/models/" + name + "/versions/1/drift"), "the datasheet names the model and its drift: " + sheetText);

    JsonObject drift = new JsonObject(consortium.rest().get("api/v1/models/" + name + "/versions/1/drift").body());
    assertEquals(baseline.getString("jobId"), drift.getJsonObject("baseline").getString("jobId"));
    assertEquals(12, drift.getJsonArray("runs").size(), "the version's drift history: both monitors' runs");
  }
}
