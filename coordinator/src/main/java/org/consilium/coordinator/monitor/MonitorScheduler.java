package org.consilium.coordinator.monitor;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.drift.DriftComparison;
import org.consilium.analytics.wire.Documentation;
import org.consilium.analytics.wire.DriftReport;
import org.consilium.analytics.wire.DriftSpec;
import org.consilium.analytics.wire.FeatureDrift;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.Privacy;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.coordinator.jobs.JobRunner;
import org.consilium.coordinator.jobs.JobSubmission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the drift monitors' schedules: every second, for each active monitor whose cluster lock
 * no other instance holds, records its pending run once the job ended (the version's first
 * measurement becomes its baseline; later ones are compared with it, alerts are audited and
 * counted), and submits the next run when it is due. Submitted jobs are ordinary jobs: offered
 * to the model's sites, checked by each site's policy, paid from each site's budget and audited
 * there. Build it on the job runner's context.
 */
public final class MonitorScheduler {
  private static final Logger log = LoggerFactory.getLogger(MonitorScheduler.class);
  private static final Set<String> ENDED = Set.of("RELEASED", "REFUSED", "FAILED", "CANCELLED");
  private final Vertx vertx;
  private final Context runnerContext;
  private final DriftMonitors monitors;
  private final JobRunner runner;
  private final AuditLog audit;
  private final MeterRegistry metrics;
  private final MultiGauge psiGauge;
  private final Map<Tags, Double> lastPsi = new ConcurrentHashMap<>();
  private volatile boolean busy;

  public MonitorScheduler(Vertx vertx, DriftMonitors monitors, JobRunner runner, AuditLog audit, MeterRegistry metrics) {
    this.vertx = vertx;
    this.runnerContext = vertx.getOrCreateContext();
    this.monitors = monitors;
    this.runner = runner;
    this.audit = audit;
    this.metrics = metrics;
    this.psiGauge = MultiGauge.builder("consilium_drift_psi")
        .description("the population stability index of the latest drift measurement, per model, site and feature").register(metrics);
  }

  /**
   * Ticks every second from now on, on a worker of its own: a tick can wait long on the cluster
   * store (a partition), and on the context's ordered worker queue it would hold up the job
   * journal's writes queued behind it.
   */
  public void start() {
    io.vertx.core.WorkerExecutor worker = vertx.createSharedWorkerExecutor("consilium-drift-monitors", 1);
    vertx.setPeriodic(1000, 1000, t -> {
      if (busy) return;
      busy = true;
      worker.executeBlocking(() -> {
        for (String id : monitors.activeIds()) monitors.tryWith(id, () -> step(id));
        return null;
      }, false).onComplete(r -> {
        busy = false;
        if (r.failed()) log.warn("drift monitors: {}", r.cause().toString());
      });
    });
  }

  private void step(String id) {
    JsonObject m = monitors.get(id).orElse(null);
    if (m == null || !"active".equals(m.getString("status"))) return;
    String pending = m.getString("pendingJobId");
    if (pending != null) {
      JsonObject job = Optional.ofNullable(monitors.state().jobs().get(pending)).map(JsonObject::new).orElse(null);
      if (job != null && !ENDED.contains(job.getString("status"))) return;
      JsonObject run = record(m, pending, job);
      monitors.update(id, x -> {
        x.getJsonArray("history").add(run);
        int done = x.getInteger("runsDone") + (run.getBoolean("baseline", false) ? 0 : 1);
        x.put("runsDone", done).remove("pendingJobId");
        if (done >= x.getInteger("runs")) x.put("status", "completed").put("completedAt", Instant.now().toString());
        return x;
      });
      return;
    }
    if (Instant.now().isBefore(Instant.parse(m.getString("nextRunAt")))) return;
    Instant next = Instant.now().plusSeconds(m.getLong("everySeconds"));
    try {
      String jobId = submit(m);
      monitors.update(id, x -> x.put("pendingJobId", jobId).put("nextRunAt", next.toString()));
    } catch (RuntimeException e) {
      // Nothing was offered: the run is recorded as not started, and counts (a schedule never runs past its plan).
      JsonObject run = new JsonObject().put("at", Instant.now().toString()).put("status", "NOT_STARTED").put("error", e.getMessage());
      monitors.update(id, x -> {
        x.getJsonArray("history").add(run);
        x.put("runsDone", x.getInteger("runsDone") + 1).put("nextRunAt", next.toString());
        if (x.getInteger("runsDone") >= x.getInteger("runs")) x.put("status", "completed").put("completedAt", Instant.now().toString());
        return x;
      });
    }
  }

  /** The drift job of a run: the model's dataset and cohort, at the model's sites connected now, per site as the plan said. */
  private String submit(JsonObject m) {
    JsonObject version = monitors.registry().version(m.getString("model"), m.getInteger("version"))
        .orElseThrow(() -> new IllegalStateException("the monitored version is no longer in the registry"));
    JobSpec training = JobSpecs.fromJson(version.getJsonObject("lineage").getJsonObject("spec").encode());
    TrainedModel.Builder model = TrainedModel.newBuilder();
    try {
      JsonFormat.parser().merge(version.getJsonObject("model").encode(), model);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the registered model does not parse: " + e.getMessage());
    }
    List<String> sites = new ArrayList<>();
    for (Object s : version.getJsonObject("lineage").getJsonArray("contributors")) {
      String node = monitors.state().nodes().get((String) s);
      if (node != null && new JsonObject(node).getBoolean("online", false)) sites.add((String) s);
    }
    JobSpec spec = JobSpec.newBuilder().setSpecVersion(JobSpecs.SPEC_VERSION).setDataset(training.getDataset()).addAllNodes(sites)
        .addAllCohort(training.getCohortList()).setPrivacy(Privacy.newBuilder().setEpsilon(m.getDouble("epsilon")))
        .setDocumentation(Documentation.newBuilder().setTitle("Drift of " + m.getString("model") + " v" + m.getInteger("version")
            + " (" + m.getString("id") + ")"))
        .setDrift(DriftSpec.newBuilder().setModel(model.clearRounds()).setPerSite(m.getBoolean("perSite"))
            .addAllFeatures(m.getJsonArray("features", new JsonArray()).stream()
                .map(c -> org.consilium.analytics.wire.Histogram.newBuilder().setColumn((String) c).build()).toList())
            .setModelName(m.getString("model")).setModelVersion(m.getInteger("version")))
        .build();
    CompletableFuture<String> id = new CompletableFuture<>();
    runnerContext.runOnContext(v -> {
      try {
        runner.submit(spec, "monitor:" + m.getString("id")).onSuccess(r -> id.complete(r.getString("id")))
            .onFailure(id::completeExceptionally);
      } catch (JobSubmission.SubmitException e) {
        id.completeExceptionally(e);
      }
    });
    try {
      return id.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException("the run could not be submitted: " + e);
    }
  }

  /** What a run that ended leaves in the history; a released first measurement becomes the version's baseline. */
  private JsonObject record(JsonObject m, String jobId, JsonObject job) {
    JsonObject run = new JsonObject().put("jobId", jobId).put("at", Instant.now().toString());
    if (job == null || !"RELEASED".equals(job.getString("status"))) {
      return run.put("status", job == null ? "LOST" : job.getString("status")).put("error", job == null ? "the job record is gone"
          : job.getString("error", job.getJsonArray("refusals", new JsonArray()).encode()));
    }
    run.put("status", "RELEASED");
    String name = m.getString("model");
    int version = m.getInteger("version");
    Optional<JsonObject> baseline = monitors.baseline(name, version);
    if (baseline.isEmpty()) {
      JsonObject training = monitors.registry().version(name, version).map(v -> v.getJsonObject("lineage")).orElse(new JsonObject());
      JsonObject trainedOn = training.getJsonObject("dataFingerprints", new JsonObject());
      JsonObject now = job.getJsonObject("dataFingerprints", new JsonObject());
      JsonArray changed = new JsonArray();
      now.forEach(e -> {
        if (!e.getValue().equals(trainedOn.getValue(e.getKey()))) changed.add(e.getKey());
      });
      monitors.setBaseline(name, version, new JsonObject().put("jobId", jobId).put("at", run.getString("at"))
          .put("perSite", m.getBoolean("perSite")).put("features", m.getJsonArray("features", new JsonArray()))
          .put("sitesWhoseDataChangedSinceTraining", changed));
      audit.append("drift.baseline", jobId, "monitor", m.getString("id"), "model", name, "version", Integer.toString(version),
          "sites_changed_since_training", String.join(",", changed.stream().map(Object::toString).toList()));
      return run.put("baseline", true).put("sitesWhoseDataChangedSinceTraining", changed);
    }
    JsonObject base = new JsonObject(monitors.state().jobs().get(baseline.get().getString("jobId")));
    DriftReport report = DriftComparison.compare(measurement(base), measurement(job), m.getDouble("psiThreshold"));
    for (FeatureDrift f : report.getFeaturesList()) {
      if (!Double.isNaN(f.getPsi())) lastPsi.put(Tags.of("model", name, "site", f.getSite(), "feature", f.getFeature()), f.getPsi());
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    lastPsi.forEach((tags, v) -> rows.add(MultiGauge.Row.of(tags, v)));
    psiGauge.register(rows, true);
    for (FeatureDrift a : report.getAlertsList()) {
      audit.append("drift.alert", jobId, "monitor", m.getString("id"), "model", name, "version", Integer.toString(version),
          "site", a.getSite(), "feature", a.getFeature(), "psi", Double.toString(a.getPsi()), "noise_floor",
          Double.toString(a.getNoiseFloor()), "threshold", Double.toString(report.getPsiThreshold()));
      Counter.builder("consilium_drift_alerts_total").description("drift alerts raised, per model, site and feature")
          .tags("model", name, "site", a.getSite(), "feature", a.getFeature()).register(metrics).increment();
      log.warn("drift alert: model {} v{} at {}: {} PSI {} (threshold {} + noise floor {})", name, version, a.getSite(), a.getFeature(),
          a.getPsi(), report.getPsiThreshold(), a.getNoiseFloor());
    }
    JsonObject json = new JsonObject(JobSpecs.toJson(report));
    return run.put("report", json).put("alerts", json.getJsonArray("alerts", new JsonArray()));
  }

  private static DriftComparison.Measurement measurement(JsonObject job) {
    JobResult.Builder r = JobResult.newBuilder();
    try {
      JsonFormat.parser().merge(job.getJsonObject("result").encode(), r);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("job " + job.getString("id") + ": its result does not parse: " + e.getMessage());
    }
    return new DriftComparison.Measurement(job.getString("id"), r.getDrift(), r.getAccounting());
  }
}
