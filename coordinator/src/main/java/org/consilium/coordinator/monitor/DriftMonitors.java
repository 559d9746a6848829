package org.consilium.coordinator.monitor;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import org.consilium.analytics.drift.DriftComparison;
import org.consilium.coordinator.registry.ModelRegistry;
import org.consilium.coordinator.state.ClusterState;

/**
 * Drift monitors of registered model versions, in the cluster's durable monitors map: a schedule
 * (every so many seconds, so many runs, epsilon per run, the PSI threshold), accepted only with
 * the budget plan it was shown, and its runs with their reports. A version's first measurement
 * is its baseline, which every later measurement of it is compared with. Reads and writes block
 * (the cluster store): call off the event loop. {@link MonitorScheduler} runs the schedules.
 */
public final class DriftMonitors {
  static final String MONITOR = "monitor-";
  static final String BASELINE = "baseline/";
  /** The shortest period between runs (each run is a job at every site). */
  public static final long MIN_EVERY_SECONDS = 1;
  public static final int MAX_RUNS = 1000;

  private final ClusterState state;
  private final ModelRegistry registry;

  public DriftMonitors(ClusterState state, ModelRegistry registry) {
    this.state = state;
    this.registry = registry;
  }

  /** What a schedule asks for; parse checks each field and names the wrong one. */
  public record Schedule(long everySeconds, int runs, double epsilon, double psiThreshold, List<String> features) {
    public Schedule {
      features = List.copyOf(features);
    }

    public static Schedule parse(JsonObject body) {
      if (body == null) throw new IllegalArgumentException("body: a JSON object with everySeconds, runs and epsilon");
      long every = number(body, "everySeconds", Double.NaN).longValue();
      int runs = number(body, "runs", Double.NaN).intValue();
      double epsilon = number(body, "epsilon", Double.NaN).doubleValue();
      double threshold = number(body, "psiThreshold", DriftComparison.DEFAULT_PSI_THRESHOLD).doubleValue();
      if (every < MIN_EVERY_SECONDS) throw new IllegalArgumentException("everySeconds: at least " + MIN_EVERY_SECONDS);
      if (runs < 1 || runs > MAX_RUNS) throw new IllegalArgumentException("runs: 1.." + MAX_RUNS);
      if (!(epsilon > 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("epsilon: a positive number per run");
      if (!(threshold > 0)) throw new IllegalArgumentException("psiThreshold: a positive number (default 0.25)");
      Object f = body.getValue("features");
      List<String> features = new ArrayList<>();
      if (f != null) {
        if (!(f instanceof JsonArray a) || a.stream().anyMatch(x -> !(x instanceof String s) || s.isBlank())) {
          throw new IllegalArgumentException("features: a list of the model's feature columns (none = all)");
        }
        a.forEach(x -> features.add((String) x));
      }
      if (features.size() != features.stream().distinct().count()) throw new IllegalArgumentException("features: a column is named twice");
      return new Schedule(every, runs, epsilon, threshold, features);
    }

    private static Number number(JsonObject body, String key, double otherwise) {
      Object v = body.getValue(key);
      if (v == null && !Double.isNaN(otherwise)) return otherwise;
      if (!(v instanceof Number n)) throw new IllegalArgumentException(key + ": a number is required");
      return n;
    }
  }

  /** The plan was not the one shown (or cannot be met); the plan as it stands now comes with it. */
  public static final class PlanNotAccepted extends RuntimeException {
    private final JsonObject plan;

    PlanNotAccepted(String message, JsonObject plan) {
      super(message);
      this.plan = plan;
    }

    public JsonObject plan() {
      return plan;
    }
  }

  /**
   * The budget plan of a schedule: per site of the model (its contributors), whether it takes
   * part in drift jobs and allows per-site releases, the epsilon the schedule would reserve
   * there (each run's epsilon plus the node's per-job overhead; one more run when the version
   * has no baseline yet) against what it has left. Throws NoSuchElementException for an unknown
   * version.
   */
  public JsonObject plan(String name, int version, Schedule s) {
    JsonObject v = registry.version(name, version)
        .orElseThrow(() -> new NoSuchElementException("no version " + version + " of model '" + name + "'"));
    JsonObject lineage = v.getJsonObject("lineage");
    String dataset = lineage.getJsonObject("spec").getString("dataset");
    List<String> modelFeatures = features(v);
    List<String> unknown = s.features().stream().filter(c -> !modelFeatures.contains(c)).toList();
    if (!unknown.isEmpty()) throw new IllegalArgumentException("features: " + unknown + " are not features of the model " + modelFeatures);
    Optional<JsonObject> baseline = baseline(name, version);
    List<String> measured = s.features().isEmpty() ? modelFeatures : s.features();
    List<String> problems = new ArrayList<>();
    baseline.ifPresent(b -> {
      List<String> missing = measured.stream().filter(c -> !b.getJsonArray("features", new JsonArray()).contains(c)).toList();
      if (!missing.isEmpty()) problems.add("the version's baseline did not measure " + missing + ": they cannot be compared");
    });
    int runs = s.runs() + (baseline.isPresent() ? 0 : 1);
    JsonArray sites = new JsonArray();
    boolean perSite = true;
    double total = 0;
    for (Object o : lineage.getJsonArray("contributors")) {
      String site = (String) o;
      JsonObject node = Optional.ofNullable(state.nodes().get(site)).map(JsonObject::new).orElse(new JsonObject());
      JsonObject policy = node.getJsonObject("policy", new JsonObject());
      boolean drift = policy.getJsonArray("allowedComputations", new JsonArray()).contains("drift");
      boolean own = policy.getBoolean("allowPerSiteRelease", false);
      double overhead = policy.getDouble("dpJobOverheadEpsilon", 0.0);
      double needed = runs * (s.epsilon() + overhead);
      total = Math.max(total, needed);
      double remaining = policy.getJsonArray("budgets", new JsonArray()).stream().map(b -> (JsonObject) b)
          .filter(b -> dataset.equals(b.getString("dataset"))).mapToDouble(b -> b.getDouble("epsilonRemaining", 0.0)).findFirst().orElse(0);
      boolean online = node.getBoolean("online", false);
      perSite &= own;
      if (!online) problems.add(site + " is offline");
      if (!drift) problems.add(site + " does not take part in drift jobs (policy.allowed_computations)");
      if (remaining + 1e-9 < needed) {
        problems.add(String.format(Locale.ROOT, "%s has %.4g of its %s budget left, the schedule needs %.4g", site, remaining, dataset, needed));
      }
      sites.add(new JsonObject().put("site", site).put("online", online).put("takesPartInDrift", drift).put("allowsPerSiteRelease", own)
          .put("epsilonPerRun", s.epsilon() + overhead).put("epsilonNeeded", needed).put("epsilonRemaining", remaining)
          .put("fits", remaining + 1e-9 >= needed));
    }
    return new JsonObject().put("model", name).put("version", version).put("dataset", dataset)
        .put("everySeconds", s.everySeconds()).put("runs", s.runs()).put("baselineRun", baseline.isEmpty())
        .put("epsilonPerRun", s.epsilon()).put("psiThreshold", s.psiThreshold()).put("perSite", perSite)
        .put("features", new JsonArray(measured))
        .put("epsilonTotalPerSite", total).put("lastRunAfterSeconds", (runs - 1) * s.everySeconds())
        .put("sites", sites).put("feasible", problems.isEmpty()).put("problems", new JsonArray(problems));
  }

  /**
   * Starts a schedule whose plan the caller accepted: acceptedEpsilon must be the plan's total
   * per site as it stands now, and the plan feasible; otherwise {@link PlanNotAccepted} with the
   * current plan. Returns the monitor.
   */
  public JsonObject create(String name, int version, Schedule s, Double acceptedEpsilon, String by) {
    JsonObject plan = plan(name, version, s);
    if (acceptedEpsilon == null || Math.abs(acceptedEpsilon - plan.getDouble("epsilonTotalPerSite")) > 1e-9) {
      throw new PlanNotAccepted("acceptedEpsilon: accept the plan by sending its epsilonTotalPerSite ("
          + plan.getDouble("epsilonTotalPerSite") + ")", plan);
    }
    if (!plan.getBoolean("feasible")) throw new PlanNotAccepted("the plan cannot be met: " + plan.getJsonArray("problems"), plan);
    String id = MONITOR + UUID.randomUUID();
    JsonObject monitor = new JsonObject().put("id", id).put("model", name).put("version", version)
        .put("modelJobId", registry.version(name, version).orElseThrow().getString("jobId"))
        .put("status", "active").put("createdBy", by).put("createdAt", Instant.now().toString())
        .put("everySeconds", s.everySeconds()).put("runs", s.runs()).put("epsilon", s.epsilon()).put("psiThreshold", s.psiThreshold())
        .put("perSite", plan.getBoolean("perSite")).put("features", plan.getJsonArray("features")).put("plan", plan).put("nextRunAt", Instant.now().toString())
        .put("runsDone", 0).put("history", new JsonArray());
    state.monitors().put(id, monitor.encode());
    return monitor;
  }

  /** The feature columns of a registered version's model (numeric, then categorical). */
  static List<String> features(JsonObject version) {
    JsonObject train = version.getJsonObject("lineage").getJsonObject("spec").getJsonObject("train", new JsonObject());
    List<String> out = new ArrayList<>();
    train.getJsonArray("numericFeatures", new JsonArray()).forEach(c -> out.add((String) c));
    train.getJsonArray("categoricalFeatures", new JsonArray()).forEach(c -> out.add(((JsonObject) c).getString("column")));
    return out;
  }

  /** Every monitor, newest first, without its run history. */
  public List<JsonObject> list() {
    List<JsonObject> out = new ArrayList<>();
    state.monitors().forEach((k, v) -> {
      if (k.startsWith(MONITOR)) {
        JsonObject m = new JsonObject(v);
        JsonArray history = m.getJsonArray("history");
        long alerts = history.stream().mapToLong(h -> ((JsonObject) h).getJsonArray("alerts", new JsonArray()).size()).sum();
        m.remove("history");
        out.add(m.put("runsRecorded", history.size()).put("alerts", alerts));
      }
    });
    out.sort(Comparator.comparing((JsonObject m) -> m.getString("createdAt")).reversed());
    return out;
  }

  public Optional<JsonObject> get(String id) {
    return Optional.ofNullable(id.startsWith(MONITOR) ? state.monitors().get(id) : null).map(JsonObject::new);
  }

  /** Stops an active monitor (no further runs); returns it, or throws NoSuchElementException / IllegalArgumentException. */
  public JsonObject stop(String id, String by) {
    return update(id, m -> {
      if (!"active".equals(m.getString("status"))) throw new IllegalArgumentException("monitor " + id + " is already " + m.getString("status"));
      return m.put("status", "stopped").put("stoppedBy", by).put("stoppedAt", Instant.now().toString());
    });
  }

  /** The drift history of a model version: its baseline and every monitor's measurements. */
  public JsonObject history(String name, int version) {
    JsonArray runs = new JsonArray();
    List<String> monitors = new ArrayList<>();
    state.monitors().forEach((k, v) -> {
      if (!k.startsWith(MONITOR)) return;
      JsonObject m = new JsonObject(v);
      if (!name.equals(m.getString("model")) || m.getInteger("version") != version) return;
      monitors.add(k);
      m.getJsonArray("history").forEach(h -> runs.add(((JsonObject) h).copy().put("monitor", k)));
    });
    return new JsonObject().put("model", name).put("version", version).put("baseline", baseline(name, version).orElse(null))
        .put("monitors", new JsonArray(monitors)).put("runs", runs);
  }

  Optional<JsonObject> baseline(String name, int version) {
    return Optional.ofNullable(state.monitors().get(BASELINE + name + "/" + version)).map(JsonObject::new);
  }

  void setBaseline(String name, int version, JsonObject baseline) {
    state.monitors().putIfAbsent(BASELINE + name + "/" + version, baseline.encode());
  }

  List<String> activeIds() {
    List<String> ids = new ArrayList<>();
    state.monitors().forEach((k, v) -> {
      if (k.startsWith(MONITOR) && "active".equals(new JsonObject(v).getString("status"))) ids.add(k);
    });
    return ids;
  }

  /** Applies change to a monitor under its cluster lock; throws NoSuchElementException when there is none. */
  JsonObject update(String id, java.util.function.UnaryOperator<JsonObject> change) {
    state.monitors().lock(id);
    try {
      JsonObject m = get(id).orElseThrow(() -> new NoSuchElementException("no monitor '" + id + "'"));
      JsonObject changed = change.apply(m);
      state.monitors().put(id, changed.encode());
      return changed;
    } finally {
      state.monitors().unlock(id);
    }
  }

  /** Runs action under the monitor's lock if no other instance holds it now; false when one does. */
  boolean tryWith(String id, Runnable action) {
    if (!state.monitors().tryLock(id)) return false;
    try {
      action.run();
      return true;
    } finally {
      state.monitors().unlock(id);
    }
  }

  public ModelRegistry registry() {
    return registry;
  }

  ClusterState state() {
    return state;
  }
}
