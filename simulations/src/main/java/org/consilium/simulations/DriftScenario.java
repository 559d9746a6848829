package org.consilium.simulations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.consilium.coordinator.registry.ModelRegistry;

/**
 * The simulation's drift scenario (--drift): trains the default model, monitors it on a schedule
 * accepted with its budget plan (a baseline and two quiet runs), then moves one hospital's
 * patients ten years older, restarts that node on its new data, and runs the monitor again: the
 * alert names the hospital and the feature. Everything goes through the REST API, as a data
 * scientist would do it.
 */
public final class DriftScenario {
  /** The hospital whose data moves, the feature and by how much. */
  public static final String SHIFTED_SITE = "cleveland";
  public static final String SHIFTED_FEATURE = "age";
  public static final double SHIFT = 10;
  /** Three of the model's features at epsilon 2 per run: fewer features, less noise on each (see the analytics README). */
  private static final String SCHEDULE = "{\"everySeconds\": %d, \"runs\": %d, \"epsilon\": 2, "
      + "\"features\": [\"age\", \"trestbps\", \"thalach\"]}";

  private final LocalConsortium consortium;
  private final PrintStream out;

  public DriftScenario(LocalConsortium consortium, PrintStream out) {
    this.consortium = consortium;
    this.out = out;
  }

  /**
   * The default options with what the scenario needs: the model is trained exactly (validation
   * data, allowed by policy here) and each hospital may spend epsilon 30 on the monitoring.
   */
  public static LocalConsortium.Options options(Path work) {
    Map<String, Map<String, String>> nodes = new HashMap<>();
    LocalConsortium.Options.defaults(work).nodeSettings().forEach((id, s) -> {
      Map<String, String> m = new HashMap<>(s);
      m.put("policy.allow_exact_release", "true");
      m.put("policy.epsilon_cap", "30");
      nodes.put(id, m);
    });
    return new LocalConsortium.Options(work, nodes, Map.of());
  }

  /** Runs the scenario; returns the alerts of the run after the shift. */
  public JsonArray run() {
    JsonObject trained = consortium.awaitJob(consortium.submit(DefaultJob.trainSpec("AGGREGATION_MASKING")), Duration.ofMinutes(2));
    if (!"RELEASED".equals(trained.getString("status"))) throw new IllegalStateException("training " + trained.getString("status"));
    String name = ModelRegistry.name(trained.getJsonObject("spec"), trained.getString("id"));
    out.println("Trained and registered model '" + name + "' version 1 (job " + trained.getString("id") + ").");
    monitor(name, 2);
    out.println();
    out.println("Shifting " + SHIFTED_SITE + "'s " + SHIFTED_FEATURE + " by +" + (int) SHIFT + " and restarting its node on the new data ...");
    HeartDisease.shift(consortium.datasets().get(SHIFTED_SITE), SHIFTED_FEATURE, SHIFT);
    consortium.restartNode(SHIFTED_SITE);
    JsonObject after = monitor(name, 1);
    return after.getJsonArray("history").getJsonObject(after.getJsonArray("history").size() - 1).getJsonArray("alerts");
  }

  /** Plans, accepts and waits for a monitor of runs measurements; prints the plan and each run. */
  private JsonObject monitor(String name, int runs) {
    String at = "api/v1/models/" + name + "/versions/1/monitors";
    String schedule = SCHEDULE.formatted(1, runs);
    JsonObject plan = new JsonObject(consortium.rest().post(at + "/plan", schedule).body());
    out.printf(Locale.ROOT, "Budget plan: %d run(s)%s at epsilon %.2f each (+ the cohort test), %s; per site:%n", runs,
        plan.getBoolean("baselineRun") ? " and a baseline" : "", plan.getDouble("epsilonPerRun"),
        plan.getBoolean("perSite") ? "each site measured on its own" : "pooled");
    for (Object o : plan.getJsonArray("sites")) {
      JsonObject s = (JsonObject) o;
      out.printf(Locale.ROOT, "  %-15s needs %6.2f of %6.2f left%n", s.getString("site"), s.getDouble("epsilonNeeded"),
          s.getDouble("epsilonRemaining"));
    }
    var created = consortium.rest().post(at, schedule.replace("}", ", \"acceptedEpsilon\": " + plan.getDouble("epsilonTotalPerSite") + "}"));
    if (created.status() != 201) throw new IllegalStateException("the monitor was refused: " + created.body());
    String id = new JsonObject(created.body()).getString("id");
    JsonObject[] m = new JsonObject[1];
    LocalConsortium.waitFor(Duration.ofMinutes(3), "monitor " + id, () -> {
      m[0] = new JsonObject(consortium.rest().get("api/v1/monitors/" + id).body());
      return !"active".equals(m[0].getString("status"));
    });
    for (Object o : m[0].getJsonArray("history")) print((JsonObject) o);
    return m[0];
  }

  private void print(JsonObject run) {
    if (run.getBoolean("baseline", false)) {
      out.println("  baseline  " + run.getString("jobId") + " (sites whose data changed since training: "
          + run.getJsonArray("sitesWhoseDataChangedSinceTraining") + ")");
      return;
    }
    if (!run.containsKey("report")) {
      out.println("  run       " + run.getString("status") + ": " + run.getString("error"));
      return;
    }
    JsonArray features = run.getJsonObject("report").getJsonArray("features");
    JsonArray alerts = run.getJsonArray("alerts");
    if (alerts.isEmpty()) {
      JsonObject top = features.stream().map(JsonObject.class::cast).filter(f -> f.getValue("psi") instanceof Number)
          .max(Comparator.comparingDouble(f -> f.getDouble("psi") - f.getDouble("noiseFloor"))).orElse(new JsonObject());
      out.printf(Locale.ROOT, "  run       %s: no alert (closest: %s / %s, PSI %.3f, noise floor %.3f)%n", run.getString("jobId"),
          top.getString("site"), top.getString("feature"), top.getDouble("psi", 0.0), top.getDouble("noiseFloor", 0.0));
      return;
    }
    for (Object o : alerts) {
      JsonObject a = (JsonObject) o;
      out.printf(Locale.ROOT, "  ALERT     %s / %s: PSI %.3f [%.3f, %.3f] above %.2f + noise floor %.3f; Jensen-Shannon %.3f%n",
          a.getString("site"), a.getString("feature"), a.getDouble("psi"), a.getJsonObject("psiInterval").getDouble("low"),
          a.getJsonObject("psiInterval").getDouble("high"), run.getJsonObject("report").getDouble("psiThreshold"),
          a.getDouble("noiseFloor"), a.getDouble("jsDistance"));
    }
  }
}
