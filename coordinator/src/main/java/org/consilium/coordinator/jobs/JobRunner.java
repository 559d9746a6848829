package org.consilium.coordinator.jobs;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.analytics.wire.MessageType;
import org.consilium.coordinator.gateway.NodeConnection;
import org.consilium.coordinator.gateway.NodeGateway;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.coordinator.state.JobStore;
import org.consilium.he.threshold.ThresholdPublicKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs: offers them to nodes, then drives one aggregation per step (masking or threshold
 * Paillier) round by round. A round closes when every live participant has answered or its
 * deadline passes. A one-step computation (statistics, datasheet) starts on acceptance; a
 * multi-step one (training) runs the steps its driver names among the survivors of the last.
 *
 * <p>Every change to a job is stored ({@link JobJournal}) before the frames it causes are sent,
 * so another instance can resume the job from the store ({@link Takeover}) and no node ever saw
 * something the store does not know. All methods run on one Vert.x context.
 */
public final class JobRunner {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
  private final Vertx vertx;
  private final NodeGateway gateway;
  private final long roundTimeoutMs;
  private final Map<String, LiveJob> active = new HashMap<>();
  /** Participants of the newest jobs ended here, so a decision arriving after the end is still recorded. */
  private final RecentlyEnded recentlyEnded;
  private final JobMetrics metrics;
  private final AggregationBackend backend;
  private final AuditLog audit;
  private final DataDictionary dictionary;
  private final JobJournal journal;
  private final Takeover takeover;
  private final JobLifecycle lifecycle;
  private final ClusterState state;

  /** heKey is the consortium's threshold Paillier key, or null if it has none. */
  public JobRunner(Vertx vertx, ClusterState state, NodeGateway gateway, int roundTimeoutSeconds, MeterRegistry metrics,
      ThresholdPublicKey heKey, AuditLog audit, DataDictionary dictionary) {
    this.audit = audit;
    this.dictionary = dictionary;
    this.vertx = vertx;
    this.gateway = gateway;
    this.roundTimeoutMs = roundTimeoutSeconds * 1000L;
    this.metrics = new JobMetrics(metrics, active::size);
    this.backend = new AggregationBackend(heKey);
    this.recentlyEnded = new RecentlyEnded(audit);
    this.journal = new JobJournal(vertx, state, new JobStore(state), audit::flushed, this::send, this::fencedOut);
    this.takeover = new Takeover(vertx, state, new JobStore(state), audit,
        s -> LiveJob.resume(s, dictionary, this::narratives, backend), this::resumed);
    this.lifecycle = new JobLifecycle(new JobLifecycle.Effects() {
      @Override
      public boolean connected(String node) {
        return gateway.connection(node) != null;
      }

      @Override
      public byte[] newSession() {
        return backend.newSession();
      }

      @Override
      public Aggregation aggregation(LiveJob job, List<String> members, byte[] session, int length) {
        return backend.create(job, members, session, length);
      }

      @Override
      public void audit(String event, String jobId, String... details) {
        // Signed and chained now, on disk with the next group commit: the frames it records wait for it (JobJournal).
        audit.submit(event, jobId, details);
      }

      @Override
      public void deadline(LiveJob job) {
        armTimer(job);
      }

      @Override
      public void offload(LiveJob job, java.util.function.Supplier<Aggregation.Closed> close,
          java.util.function.BiConsumer<Aggregation.Closed, RuntimeException> then) {
        // A worker thread closes the round (threshold Paillier's sums and decryptions); the event loop serving the
        // nodes and the API stays free, and the outcome is applied back here, on the runner's context.
        vertx.<Aggregation.Closed>executeBlocking(close::get, false).onComplete(r -> {
          try (var logged = org.slf4j.MDC.putCloseable("job", job.id)) {
            then.accept(r.succeeded() ? r.result() : null, r.failed()
                ? (r.cause() instanceof RuntimeException e ? e : new IllegalStateException(r.cause())) : null);
            lifecycle.advance(job);
            journal.commit(job);
          }
        });
      }

      @Override
      public void ended(LiveJob job) {
        if (job.timer >= 0) vertx.cancelTimer(job.timer);
        active.remove(job.id);
        recentlyEnded.add(job);
        JobRunner.this.metrics.finished(job.status);
      }

      @Override
      public void roundClosed(long nanos, int missing) {
        JobRunner.this.metrics.roundClosed(nanos, missing);
      }
    });
    takeover.resumeWith(lifecycle, journal, this::fencedOut, this::running);
    io.vertx.core.Context context = vertx.getOrCreateContext();
    state.onCancelRequest((jobId, by) -> context.runOnContext(v -> cancel(jobId, by)));
    this.state = state;
    gateway.onFrame(this::onFrame);
    gateway.onDisconnect(this::onDisconnect);
  }

  /** Takes over the jobs no live instance drives (at start, and whenever an instance leaves the cluster). */
  public void adoptOrphans() {
    takeover.adoptOrphans();
  }

  /**
   * Validates and starts a job on behalf of submittedBy (a console user or the admin token).
   * Throws {@link JobSubmission.SubmitException} for a refused spec; otherwise the record comes
   * once the job is stored in the cluster (so an id handed out is never lost with an instance).
   */
  public io.vertx.core.Future<JsonObject> submit(JobSpec submitted, String submittedBy) {
    JobSubmission.Checked c = JobSubmission.check(submitted, submittedBy, gateway, dictionary, backend.hasPaillierKey());
    JobSpec spec = c.spec();
    String id = spec.getJobId();
    List<String> participants = spec.getNodesList();
    int t = spec.getThreshold();
    byte[] session = backend.newSession();
    LiveJob job = new LiveJob(spec, c.peers(), session, c.computation(), c.record(), this::narratives);
    Computation computation = c.computation();
    job.owner = journal.owner();
    active.put(id, job);
    // A one-step computation starts on acceptance, among everyone offered, with the offer's session.
    if (computation.openingStep().isPresent()) job.beginStep(participants, session, backend.create(job, participants, session, job.vectorLength()));
    audit.submit("job.offered", id, "submitted_by", submittedBy, "computation", JobSpecs.computation(spec),
        "participants", String.join(",", participants),
        "threshold", Integer.toString(t), "epsilon", Double.toString(spec.getPrivacy().getEpsilon()), "spec_sha256", JobSpecs.digest(spec));
    JobOffer offer = JobOffer.newBuilder().setSpec(spec).setSessionId(ByteString.copyFrom(session)).addAllPeers(c.peers())
        .setCoordinatorAuditHead(audit.head()).build(); // each node records the head: this log cannot lose the offer unnoticed
    for (String n : participants) lifecycle.queue(job, n, FrameCodec.frame(MessageType.JOB_OFFER, id, 0, offer));
    armTimer(job);
    io.vertx.core.Promise<JsonObject> stored = io.vertx.core.Promise.promise();
    JsonObject record = job.record.copy();
    job.afterStored.add(() -> stored.tryComplete(record));
    journal.commit(job);
    metrics.submitted();
    log.info("job {} ({}) offered to {} (threshold {})", id, JobSpecs.computation(spec), participants, t);
    return stored.future();
  }

  private void onFrame(NodeConnection from, Frame f) {
    try (var logged = org.slf4j.MDC.putCloseable("job", f.getJobId())) { // every log line about the job names it
      handle(from, f);
    }
  }

  private void handle(NodeConnection from, Frame f) {
    metrics.frameReceived(f.getType());
    if (f.getType() == MessageType.JOB_RESUME) {
      takeover.onResume(from, f, active.get(f.getJobId()));
      return;
    }
    LiveJob job = active.get(f.getJobId());
    // A member gets word for word what a job that does not exist gets: it learns nothing of jobs it is not in.
    if (job != null && !job.partyOf.containsKey(from.nodeId())) job = null;
    if (job == null) {
      if (recentlyEnded.recordLateRefusal(from.nodeId(), f)) return;
      if (f.getType() != MessageType.ERROR) from.send(FrameCodec.error(f.getJobId(), "unknown_job", "no active job '" + f.getJobId() + "'"));
      return;
    }
    try {
      lifecycle.take(job, from.nodeId(), f);
    } catch (RuntimeException e) {
      // A bad message from one node is refused; the round goes on without it.
      log.warn("job {}: refused {} from {}: {}", job.id, f.getType(), from.nodeId(), e.getMessage());
      from.send(FrameCodec.error(job.id, "refused", f.getType() + ": " + e.getMessage()));
      return;
    }
    lifecycle.advance(job);
    journal.commit(job);
  }

  private void onDisconnect(String nodeId) {
    for (LiveJob job : new ArrayList<>(active.values())) {
      if (job.partyOf.containsKey(nodeId)) {
        lifecycle.advance(job);
        journal.commit(job);
      }
    }
  }

  private void armTimer(LiveJob job) {
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    job.timer = vertx.setTimer(roundTimeoutMs, id -> {
      job.timer = -1;
      if (active.get(job.id) == job) {
        log.info("job {}: step {} deadline passed; missing {}", job.id, job.step, lifecycle.pending(job));
        lifecycle.closeRound(job);
        lifecycle.advance(job);
        journal.commit(job);
      }
    });
  }

  /**
   * Cancels a job this instance is running: it ends CANCELLED (audited) and every participant
   * is told to stop; a node refunds its reservation when nothing computed from its data has
   * left it yet. Returns the job's record as cancelled; empty when the job is not running here
   * (unknown, or already finished).
   */
  public Optional<JsonObject> cancel(String jobId, String by) {
    LiveJob job = active.get(jobId);
    if (job == null) return Optional.empty();
    job.record.put("cancelledBy", by);
    lifecycle.finish(job, JobStatus.CANCELLED, "cancelled by " + by);
    journal.commit(job);
    return Optional.of(job.record.copy().put("updatedAt", Instant.now().toString()));
  }

  /** Asks the instance that runs the job, wherever it is, to cancel it (the request is heard by every instance). */
  public void requestCancel(String jobId, String by) {
    state.requestCancel(jobId, by);
  }

  /** What each site wrote for the consortium's datasheet (from its HELLO); nothing when it is not connected now. */
  private List<DatasheetAnswer> narratives(String node) {
    NodeConnection c = gateway.connection(node);
    return c == null ? List.of() : c.hello().getDatasheetList();
  }

  private void send(String nodeId, Frame frame) {
    NodeConnection c = gateway.connection(nodeId);
    if (c != null) c.send(frame);
  }

  /** Another instance took the job over (its epoch is newer): stop driving it here, sending nothing more. */
  private void fencedOut(LiveJob job) {
    if (active.get(job.id) != job) return;
    job.handedOver = true;
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    active.remove(job.id);
    job.outbox.clear();
    audit.submit("job.handed_over", job.id, "epoch", Long.toString(job.epoch));
    log.warn("job {}: another coordinator instance took it over (a newer epoch than {}); this instance stops driving it", job.id, job.epoch);
  }

  /** A job this instance took over: it runs here from now on, the current round re-sent to the nodes connected now. */
  private void resumed(LiveJob job) {
    job.resumedWaiting = true;
    LiveJob before = active.put(job.id, job);
    if (before != null && before.timer >= 0) vertx.cancelTimer(before.timer);
    lifecycle.sendRound(job, job.roundSends.keySet().stream().filter(n -> gateway.connection(n) != null).toList());
    armTimer(job);
    lifecycle.advance(job);
    journal.commit(job);
  }

  /** The job as this instance runs it, if it does. */
  Optional<LiveJob> running(String jobId) {
    return Optional.ofNullable(active.get(jobId));
  }

  /** Records committed here and not yet in the jobs map, by job id: what the registry overlays on the map. */
  public java.util.Map<String, JsonObject> unstoredRecords() {
    return journal.unstored();
  }

  /**
   * The newest record of a job this instance runs, or has just changed and not yet written to
   * the jobs map (newer than the stored one), if any. Call on the runner's context.
   */
  public Optional<JsonObject> live(String jobId) {
    LiveJob job = active.get(jobId);
    if (job != null) return Optional.of(job.record.copy().put("updatedAt", Instant.now().toString()));
    return journal.unstored(jobId);
  }
}
