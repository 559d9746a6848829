package org.consilium.coordinator.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import org.consilium.coordinator.state.ClusterState;

/**
 * The model registry: every released training job is a version of a named model (its name the
 * slug of the job's documentation title), with its lineage (spec, software versions of the
 * coordinator and of each site, participants and contributors, the data dictionary it was
 * checked against, each site's keyed dataset fingerprint, which the site also signed into its
 * audit log, the consortium datasheet of its data and its drift history), its metrics and its privacy spending, all read from the job store, so no
 * release can miss its registration and every coordinator instance sees the same registry.
 * What the registry adds is decisions: a version's stage (candidate, approved, retired), changed
 * only by an administrator with a reason, kept with its history in the cluster's models map.
 * Reads and writes block (the cluster store): call off the event loop.
 */
public final class ModelRegistry {
  /** A version's stage; a new version is a candidate. */
  public enum Stage { CANDIDATE, APPROVED, RETIRED }

  private final ClusterState state;
  private final java.util.function.Supplier<Map<String, JsonObject>> unstored;

  public ModelRegistry(ClusterState state) {
    this(state, java.util.Map::of);
  }

  /**
   * unstored gives the records this instance committed and has not yet written to the jobs map
   * (a job the API already shows released is then a version here too, without waiting for the write).
   */
  public ModelRegistry(ClusterState state, java.util.function.Supplier<Map<String, JsonObject>> unstored) {
    this.unstored = unstored;
    this.state = state;
  }

  /** The registry name of a job's model: its documentation title, lower case, runs of other characters as one dash. */
  public static String name(JsonObject spec, String jobId) {
    String title = spec.getJsonObject("documentation", new JsonObject()).getString("title", "");
    String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > 80) slug = slug.substring(0, 80).replaceAll("-+$", "");
    return slug.isEmpty() ? "model-" + jobId : slug;
  }

  /** Every model with its versions' numbers and stages, by name. */
  public List<JsonObject> list() {
    List<JsonObject> out = new ArrayList<>();
    versionsByName().forEach((name, versions) -> {
      JsonObject latest = versions.get(versions.size() - 1);
      out.add(new JsonObject().put("name", name).put("versions", versions.size()).put("latest", latest.getInteger("version"))
          .put("stages", new JsonArray(versions.stream().map(v -> new JsonObject().put("version", v.getInteger("version"))
              .put("stage", v.getString("stage"))).toList())));
    });
    return out;
  }

  /** A model with every version in full (lineage, metrics, privacy, stage history). */
  public Optional<JsonObject> get(String name) {
    List<JsonObject> versions = versionsByName().get(name);
    return versions == null ? Optional.empty() : Optional.of(new JsonObject().put("name", name).put("versions", new JsonArray(versions)));
  }

  /** One version, or empty. */
  public Optional<JsonObject> version(String name, int version) {
    List<JsonObject> versions = versionsByName().get(name);
    if (versions == null || version < 1 || version > versions.size()) return Optional.empty();
    return Optional.of(versions.get(version - 1));
  }

  /**
   * Sets a version's stage (an administrator's decision, with a reason); returns the version.
   * Throws NoSuchElementException for an unknown model or version, IllegalArgumentException for
   * a missing reason or a stage it already has.
   */
  public JsonObject stage(String name, int version, Stage stage, String reason, String by) {
    if (reason == null || reason.isBlank()) throw new IllegalArgumentException("reason: say why the stage changes");
    JsonObject v = version(name, version).orElseThrow(() -> new NoSuchElementException("no version " + version + " of model '" + name + "'"));
    if (v.getString("stage").equals(stage.name().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("version " + version + " of '" + name + "' is already " + v.getString("stage"));
    }
    String jobId = v.getString("jobId");
    state.models().lock(name);
    try {
      JsonObject decisions = Optional.ofNullable(state.models().get(name)).map(JsonObject::new).orElseGet(JsonObject::new);
      JsonArray history = decisions.getJsonArray(jobId, new JsonArray());
      history.add(new JsonObject().put("stage", stage.name().toLowerCase(Locale.ROOT)).put("by", by).put("reason", reason)
          .put("at", Instant.now().toString()));
      decisions.put(jobId, history);
      state.models().put(name, decisions.encode());
    } finally {
      state.models().unlock(name);
    }
    return version(name, version).orElseThrow();
  }

  /** Two versions side by side: coefficients by name, metrics, fairness, privacy spent, lineage. */
  public Optional<JsonObject> compare(String name, int a, int b) {
    List<JsonObject> versions = versionsByName().get(name); // one read of the job store for both
    if (versions == null || a < 1 || b < 1 || a > versions.size() || b > versions.size()) return Optional.empty();
    JsonObject va = versions.get(a - 1);
    JsonObject vb = versions.get(b - 1);
    Map<String, JsonObject> coefficients = new LinkedHashMap<>();
    for (int side = 0; side < 2; side++) {
      JsonObject v = side == 0 ? va : vb;
      String key = side == 0 ? "a" : "b";
      v.getJsonObject("model").getJsonArray("coefficients", new JsonArray()).forEach(c -> {
        JsonObject co = (JsonObject) c;
        coefficients.computeIfAbsent(co.getString("name"), n -> new JsonObject().put("name", n)).put(key, co.getValue("value"));
      });
    }
    return Optional.of(new JsonObject().put("name", name)
        .put("a", summary(va)).put("b", summary(vb))
        .put("coefficients", new JsonArray(new ArrayList<>(coefficients.values()))));
  }

  private static JsonObject summary(JsonObject v) {
    JsonObject m = v.getJsonObject("model");
    JsonObject metrics = new JsonObject();
    for (String k : List.of("auc", "accuracy", "logLoss", "rows", "evaluation", "aucInterval", "accuracyInterval")) {
      if (m.containsKey(k)) metrics.put(k, m.getValue(k));
    }
    return new JsonObject().put("version", v.getInteger("version")).put("jobId", v.getString("jobId")).put("stage", v.getString("stage"))
        .put("metrics", metrics).put("fairness", m.getJsonObject("fairness", new JsonObject()))
        .put("privacy", v.getJsonObject("privacy")).put("lineage", v.getJsonObject("lineage"));
  }

  /** Every model's versions, by name (each list oldest first). */
  public Map<String, List<JsonObject>> all() {
    return versionsByName();
  }

  /** Released training jobs grouped by model name, each list in release order (oldest is version 1). */
  private Map<String, List<JsonObject>> versionsByName() {
    Map<String, List<JsonObject>> byName = new TreeMap<>();
    List<JsonObject> released = new ArrayList<>();
    List<JsonObject> datasheets = new ArrayList<>();
    Map<String, JsonObject> records = new TreeMap<>();
    state.jobs().forEach((id, s) -> records.put(id, new JsonObject(s)));
    records.putAll(unstored.get());
    for (JsonObject job : records.values()) {
      if (!"RELEASED".equals(job.getString("status"))) continue;
      if ("train".equals(job.getString("computation")) && job.getJsonObject("result", new JsonObject()).containsKey("model")) {
        released.add(job);
      } else if ("datasheet".equals(job.getString("computation"))) {
        datasheets.add(job);
      }
    }
    released.sort(Comparator.comparing((JsonObject j) -> j.getString("submittedAt", "")).thenComparing(j -> j.getString("id")));
    Map<String, JsonObject> decisions = new TreeMap<>();
    for (JsonObject job : released) {
      String name = name(job.getJsonObject("spec"), job.getString("id"));
      decisions.computeIfAbsent(name, n -> Optional.ofNullable(state.models().get(n)).map(JsonObject::new).orElseGet(JsonObject::new));
      List<JsonObject> versions = byName.computeIfAbsent(name, n -> new ArrayList<>());
      versions.add(version(job, name, versions.size() + 1, decisions.get(name).getJsonArray(job.getString("id"), new JsonArray()),
          datasheetOf(job, datasheets)));
    }
    return byName;
  }

  /** The newest datasheet of the job's dataset submitted before it, or null. */
  private static JsonObject datasheetOf(JsonObject job, List<JsonObject> datasheets) {
    String dataset = job.getJsonObject("spec").getString("dataset");
    String before = job.getString("submittedAt", "");
    return datasheets.stream().filter(d -> dataset.equals(d.getJsonObject("spec").getString("dataset")))
        .filter(d -> d.getString("submittedAt", "").compareTo(before) < 0)
        .max(Comparator.comparing((JsonObject d) -> d.getString("submittedAt", ""))).orElse(null);
  }

  private static JsonObject version(JsonObject job, String name, int number, JsonArray history, JsonObject datasheet) {
    JsonObject result = job.getJsonObject("result");
    JsonObject model = result.getJsonObject("model");
    JsonObject accounting = result.getJsonObject("accounting", new JsonObject());
    JsonObject spec = job.getJsonObject("spec");
    String stage = history.isEmpty() ? "candidate" : history.getJsonObject(history.size() - 1).getString("stage");
    JsonObject lineage = new JsonObject()
        .put("spec", spec)
        .put("softwareVersion", job.getString("softwareVersion", "unknown"))
        .put("siteSoftware", job.getJsonObject("siteSoftware", new JsonObject()))
        .put("participants", job.getJsonArray("participants", new JsonArray()))
        .put("contributors", accounting.getJsonArray("contributors", new JsonArray()))
        .put("dictionarySha256", spec.getString("dictionarySha256", ""))
        .put("dataFingerprints", job.getJsonObject("dataFingerprints", new JsonObject()))
        .put("submittedBy", job.getString("submittedBy"))
        .put("submittedAt", job.getString("submittedAt"))
        .put("modelCard", "/api/v1/jobs/" + job.getString("id") + "/model-card")
        .put("driftHistory", "/api/v1/models/" + name + "/versions/" + number + "/drift");
    if (datasheet != null) {
      lineage.put("datasheet", new JsonObject().put("jobId", datasheet.getString("id"))
          .put("url", "/api/v1/jobs/" + datasheet.getString("id") + "/datasheet.md"));
    }
    return new JsonObject().put("version", number).put("jobId", job.getString("id")).put("stage", stage)
        .put("stageHistory", history).put("lineage", lineage).put("model", model)
        .put("privacy", new JsonObject().put("epsilon", accounting.getValue("epsilon", 0.0)).put("delta", accounting.getValue("delta", 0.0))
            .put("mechanism", accounting.getString("mechanism", "")));
  }
}
