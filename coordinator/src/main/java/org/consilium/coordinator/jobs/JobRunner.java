package org.consilium.coordinator.jobs;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.FrameCodec;
import org.consilium.analytics.wire.JobDecision;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.JobSpecs;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.PeerIdentity;
import org.consilium.analytics.wire.StepStart;
import org.consilium.coordinator.gateway.NodeConnection;
import org.consilium.coordinator.gateway.NodeGateway;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.he.threshold.ThresholdPublicKey;
import org.consilium.mpc.secagg.SessionParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs: offers them to nodes, then drives one aggregation per step ({@link Aggregation}:
 * masking or threshold Paillier) round by round. A round closes when every live participant
 * has answered or its deadline passes. A statistics job is one step; a training job is a
 * sequence (moments, Newton rounds, evaluation) whose participants are the survivors of the
 * previous step. The job record, with rounds, participants and training progress, is written
 * through to the cluster state after every change. All methods run on one Vert.x context.
 */
public final class JobRunner {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
  private final Vertx vertx;
  private final ClusterState state;
  private final NodeGateway gateway;
  private final long roundTimeoutMs;
  private final SecureRandom rng = new SecureRandom();
  private final Map<String, ActiveJob> active = new HashMap<>();
  /** Participants of the newest ended jobs, so a decision arriving after the end is still recorded. */
  private final Map<String, List<String>> recentlyEnded = new java.util.LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
      return size() > 1000;
    }
  };
  private final Map<String, JsonObject> unsaved = new java.util.concurrent.ConcurrentHashMap<>();
  private final MeterRegistry metrics;
  private final ThresholdPublicKey heKey;
  private final AuditLog audit;
  private final DataDictionary dictionary;

  /** heKey is the consortium's threshold Paillier key, or null if it has none. */
  public JobRunner(Vertx vertx, ClusterState state, NodeGateway gateway, int roundTimeoutSeconds, MeterRegistry metrics,
      ThresholdPublicKey heKey, AuditLog audit, DataDictionary dictionary) {
    this.audit = audit;
    this.dictionary = dictionary;
    this.vertx = vertx;
    this.state = state;
    this.gateway = gateway;
    this.roundTimeoutMs = roundTimeoutSeconds * 1000L;
    this.metrics = metrics;
    this.heKey = heKey;
    gateway.onFrame(this::onFrame);
    gateway.onDisconnect(this::onDisconnect);
  }

  /** A job refused at submission; the message names the field or the node. */
  public static final class SubmitException extends RuntimeException {
    private final int status;

    SubmitException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private static final class ActiveJob {
    final String id;
    final JobSpec spec;
    final int threshold;
    final JsonObject record;
    final List<String> participants;
    final Map<String, Integer> partyOf = new TreeMap<>();
    final Map<Integer, String> nodeOf = new TreeMap<>();
    final TreeSet<String> accepted = new TreeSet<>();
    final Computation computation;
    final Computation.Driver driver;
    int step;
    Aggregation aggregation;
    long timer = -1;

    ActiveJob(JobSpec spec, Computation computation, List<String> participants, int threshold, JsonObject record,
        java.util.function.Function<String, List<org.consilium.analytics.wire.DatasheetAnswer>> narratives) {
      this.id = spec.getJobId();
      this.spec = spec;
      this.threshold = threshold;
      this.record = record;
      this.participants = List.copyOf(participants);
      this.computation = computation;
      this.driver = computation.driver(participants, threshold, narratives);
      int i = 1;
      for (String n : participants) {
        partyOf.put(n, i);
        nodeOf.put(i, n);
        i++;
      }
    }
  }

  /** Validates and starts a job on behalf of submittedBy (a console user or the admin token); returns its record. */
  public JsonObject submit(JobSpec submitted, String submittedBy) {
    List<String> connected = gateway.connectedNodes();
    List<String> participants = submitted.getNodesCount() == 0
        ? connected.stream().filter(n -> !gateway.isSuspended(n)).toList()
        : submitted.getNodesList().stream().sorted().toList();
    Computation computation;
    int t;
    try {
      computation = Computation.of(submitted, Math.max(2, participants.size()), dictionary);
      t = participants.size() < 2 ? 2 : JobSpecs.threshold(submitted, participants.size());
    } catch (InvalidSpecException e) {
      throw new SubmitException(400, e.getMessage());
    }
    if (submitted.getAggregation() == org.consilium.analytics.wire.Aggregation.AGGREGATION_THRESHOLD_PAILLIER && heKey == null) {
      throw new SubmitException(400, "aggregation: this consortium has no threshold Paillier key (he.public_key)");
    }
    for (String n : participants) {
      if (!connected.contains(n)) throw new SubmitException(409, "nodes: node '" + n + "' is not connected");
      if (gateway.isSuspended(n)) throw new SubmitException(409, "nodes: node '" + n + "' is suspended by an administrator");
    }
    if (participants.size() < 2) throw new SubmitException(409, "nodes: at least 2 connected nodes are needed, have " + participants.size());
    String id = "job-" + UUID.randomUUID();
    JobSpec spec = submitted.toBuilder().setJobId(id).clearNodes().addAllNodes(participants).setThreshold(t)
        .setDictionarySha256(dictionary.digest()).build();
    JsonObject record = new JsonObject()
        .put("id", id)
        .put("computation", JobSpecs.computation(spec))
        .put("status", "OFFERED")
        .put("submittedAt", Instant.now().toString())
        .put("submittedBy", submittedBy)
        .put("spec", new JsonObject(JobSpecs.toJson(spec)))
        .put("participants", new JsonArray(participants))
        .put("threshold", t)
        .put("rounds", new JsonArray())
        .put("refusals", new JsonArray());
    ActiveJob job = new ActiveJob(spec, computation, participants, t, record, this::narratives);
    active.put(id, job);
    byte[] session = newSession();
    // A one-step computation starts on acceptance, among everyone offered, with the offer's session.
    computation.openingStep().ifPresent(step -> job.aggregation = newAggregation(job, participants, session, computation.vectorLength(step)));
    persist(job);
    JobOffer.Builder offer = JobOffer.newBuilder().setSpec(spec).setSessionId(ByteString.copyFrom(session));
    for (String n : participants) {
      try {
        offer.addPeers(PeerIdentity.newBuilder().setNodeId(n).setPartyIndex(job.partyOf.get(n))
            .setCertificateDer(ByteString.copyFrom(gateway.connection(n).certificate().getEncoded())));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    audit.append("job.offered", id, "submitted_by", submittedBy, "computation", JobSpecs.computation(spec),
        "participants", String.join(",", participants),
        "threshold", Integer.toString(t), "epsilon", Double.toString(spec.getPrivacy().getEpsilon()), "spec_sha256", JobSpecs.digest(spec));
    offer.setCoordinatorAuditHead(audit.head()); // each node records it: this log cannot lose the offer unnoticed
    for (String n : participants) send(n, FrameCodec.frame(MessageType.JOB_OFFER, id, 0, offer.build()));
    armTimer(job);
    metrics.counter("consilium_jobs_submitted_total").increment();
    log.info("job {} ({}) offered to {} (threshold {})", id, JobSpecs.computation(spec), participants, t);
    return record.copy();
  }

  private byte[] newSession() {
    byte[] s = new byte[32];
    rng.nextBytes(s);
    return s;
  }

  private Aggregation newAggregation(ActiveJob job, List<String> members, byte[] session, int length) {
    if (job.spec.getAggregation() == org.consilium.analytics.wire.Aggregation.AGGREGATION_THRESHOLD_PAILLIER) {
      return new PaillierAggregation(job.id, members, job.threshold, heKey, length);
    }
    TreeSet<Integer> parties = new TreeSet<>();
    members.forEach(n -> parties.add(job.partyOf.get(n)));
    return new MaskingAggregation(job.id, job.partyOf, job.nodeOf, new SessionParams(session, parties, job.threshold, length),
        (party, message, signature) -> {
          // The coordinator checks each advertisement against the certificate its sender connected with.
          NodeConnection c = gateway.connection(job.nodeOf.get(party));
          return c != null && org.consilium.analytics.identity.Signatures.verify(c.certificate(), message, signature);
        });
  }

  private void onFrame(NodeConnection from, Frame f) {
    metrics.counter("consilium_frames_received_total", "type", f.getType().name()).increment();
    ActiveJob job = active.get(f.getJobId());
    if (job == null) {
      List<String> ended = recentlyEnded.get(f.getJobId());
      if (f.getType() == MessageType.JOB_REFUSE && ended != null && ended.contains(from.nodeId())) {
        // A refusal that arrives after the job ended (another site refused first) is still recorded:
        // both logs hold every refusal, and the cross-check holds them to it.
        JobDecision d = FrameCodec.payload(f, JobDecision.parser());
        audit.append("job.refused", f.getJobId(), "node", from.nodeId(), "policy", d.getPolicy(), "reason", d.getReason(),
            "node_head", d.getNodeAuditHead(), "after_end", "true");
        return;
      }
      if (f.getType() != MessageType.ERROR) from.send(FrameCodec.error(f.getJobId(), "unknown_job", "no active job '" + f.getJobId() + "'"));
      return;
    }
    if (!job.partyOf.containsKey(from.nodeId())) {
      from.send(FrameCodec.error(f.getJobId(), "not_a_participant", "node '" + from.nodeId() + "' is not a participant of " + job.id));
      return;
    }
    try {
      switch (f.getType()) {
        case JOB_ACCEPT -> {
          JobDecision d = FrameCodec.payload(f, JobDecision.parser());
          job.accepted.add(from.nodeId());
          // The node's head as it accepted: its log cannot lose the acceptance unnoticed.
          audit.append("job.accepted_by", job.id, "node", from.nodeId(), "epsilon_reserved", Double.toString(d.getEpsilonReserved()),
              "node_head", d.getNodeAuditHead());
        }
        case JOB_REFUSE -> {
          JobDecision d = FrameCodec.payload(f, JobDecision.parser());
          if (job.accepted.contains(from.nodeId())) {
            // A refusal counts only before acceptance. Afterwards the node has merely stopped: a dropout,
            // which the rounds absorb while t remain, so one participant cannot fail the job (and burn
            // every honest node's budget) by "refusing" late.
            log.warn("job {}: node {} refused after accepting ({}); treated as a dropout", job.id, from.nodeId(), d.getPolicy());
            audit.append("job.late_refusal", job.id, "node", from.nodeId(), "policy", d.getPolicy(), "treated_as", "dropout",
                "node_head", d.getNodeAuditHead());
            job.record.put("lastNodeError", from.nodeId() + " refused after accepting; treated as a dropout");
            return;
          }
          job.record.getJsonArray("refusals").add(new JsonObject().put("node", from.nodeId()).put("policy", d.getPolicy())
              .put("reason", d.getReason()));
          audit.append("job.refused", job.id, "node", from.nodeId(), "policy", d.getPolicy(), "reason", d.getReason(),
              "node_head", d.getNodeAuditHead());
          finish(job, "REFUSED", "refused by node '" + from.nodeId() + "' (" + d.getPolicy() + "): " + d.getReason());
          return;
        }
        case ERROR -> {
          String msg = FrameCodec.payload(f, ErrorReport.parser()).getMessage();
          log.warn("job {}: node {} reported: {}", job.id, from.nodeId(), msg);
          job.record.put("lastNodeError", from.nodeId() + ": " + msg);
          return;
        }
        default -> {
          if (!job.accepted.contains(from.nodeId())) throw new IllegalArgumentException("protocol message before accepting the job");
          if (job.aggregation == null || f.getStep() != job.step) {
            throw new IllegalArgumentException("message for step " + f.getStep() + ", the job is at step " + job.step);
          }
          job.aggregation.receive(from.nodeId(), f);
        }
      }
    } catch (RuntimeException e) {
      // A bad message from one node is refused; the round goes on without it.
      log.warn("job {}: refused {} from {}: {}", job.id, f.getType(), from.nodeId(), e.getMessage());
      from.send(FrameCodec.error(job.id, "refused", f.getType() + ": " + e.getMessage()));
      return;
    }
    advanceIfComplete(job);
  }

  private void onDisconnect(String nodeId) {
    for (ActiveJob job : new ArrayList<>(active.values())) {
      if (job.partyOf.containsKey(nodeId)) advanceIfComplete(job);
    }
  }

  /** Who the job still waits for now: acceptances (before a training job's first step) or the round's answers. */
  private SortedSet<String> pending(ActiveJob job) {
    if (job.aggregation != null) return job.aggregation.pending();
    TreeSet<String> p = new TreeSet<>(job.participants);
    p.removeAll(job.accepted);
    return p;
  }

  /** Closes the current round early when no live participant is still expected to answer. */
  private void advanceIfComplete(ActiveJob job) {
    if (!active.containsKey(job.id)) return;
    boolean waiting = pending(job).stream().anyMatch(n -> gateway.connection(n) != null);
    if (!waiting) closeRound(job);
  }

  private void armTimer(ActiveJob job) {
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    job.timer = vertx.setTimer(roundTimeoutMs, id -> {
      job.timer = -1;
      if (active.containsKey(job.id)) {
        log.info("job {}: step {} deadline passed; missing {}", job.id, job.step, pending(job));
        closeRound(job);
      }
    });
  }

  private void closeRound(ActiveJob job) {
    if (job.aggregation == null) {
      // A training job has its acceptances: start the first step with those who accepted.
      List<String> accepted = List.copyOf(job.accepted);
      if (accepted.size() < job.threshold) {
        finish(job, "FAILED", "only " + accepted.size() + " of " + job.participants.size() + " nodes accepted, threshold is "
            + job.threshold + "; nothing is released");
        return;
      }
      startStep(job, accepted);
      return;
    }
    String round = roundLabel(job);
    List<String> missing = List.copyOf(job.aggregation.pending());
    Aggregation.Closed closed;
    try {
      closed = job.aggregation.close();
    } catch (Aggregation.AggregationFailedException e) {
      recordRound(job, round, missing);
      finish(job, "FAILED", (job.computation.openingStep().isEmpty() ? "step " + job.step + ", " : "") + e.getMessage());
      return;
    }
    recordRound(job, round, missing);
    if (closed.isFinal()) {
      Computation.Outcome outcome = job.driver.onAggregate(closed.sum(), closed.contributors());
      if (!job.driver.progress().isEmpty()) {
        job.record.put("progress", new JsonArray(job.driver.progress().stream().map(r -> new JsonObject(JobSpecs.toJson(r))).toList()));
      }
      if (outcome instanceof Computation.Outcome.Release r) {
        publish(job, r.result().toBuilder().setJobId(job.id).build(), closed.contributors());
      } else {
        job.step++;
        startStep(job, closed.contributors());
      }
      return;
    }
    job.record.put("status", "RUNNING");
    closed.sends().forEach((node, frames) -> frames.forEach(fr -> send(node, fr.toBuilder().setStep(job.step).build())));
    persist(job);
    armTimer(job);
    advanceIfComplete(job);
  }

  private String roundLabel(ActiveJob job) {
    return job.computation.openingStep().isPresent() ? job.aggregation.round()
        : "step " + job.step + " " + job.driver.current().getKind() + ": " + job.aggregation.round();
  }

  /** Starts the next step of a training job among the survivors of the last. */
  private void startStep(ActiveJob job, List<String> members) {
    byte[] session = newSession();
    StepStart step = job.driver.current().toBuilder().setSessionId(ByteString.copyFrom(session)).addAllParticipants(members).build();
    job.aggregation = newAggregation(job, members, session, job.computation.vectorLength(step));
    job.record.put("status", "RUNNING").put("step", job.step);
    for (String n : members) send(n, FrameCodec.frame(MessageType.STEP_START, job.id, 0, step).toBuilder().setStep(job.step).build());
    persist(job);
    armTimer(job);
  }

  /** What each site wrote for the consortium's datasheet (from its HELLO); nothing when it is not connected now. */
  private List<org.consilium.analytics.wire.DatasheetAnswer> narratives(String node) {
    NodeConnection c = gateway.connection(node);
    return c == null ? List.of() : c.hello().getDatasheetList();
  }

  private void publish(ActiveJob job, JobResult result, List<String> contributors) {
    List<String> dropped = job.participants.stream().filter(n -> !contributors.contains(n)).toList();
    job.record.put("result", new JsonObject(JobSpecs.toJson(result)));
    audit.append("job.released", job.id, "result_sha256", AuditLog.digest(result.toByteArray()),
        "contributors", String.join(",", contributors), "dropped", String.join(",", dropped));
    for (String n : job.participants) send(n, FrameCodec.frame(MessageType.JOB_RESULT, job.id, 0, result));
    finish(job, "RELEASED", null);
    log.info("job {} released from {} (dropped {})", job.id, contributors, dropped);
  }

  /**
   * Cancels a job this instance is running: it ends CANCELLED (audited) and every participant
   * is told to stop; a node refunds its reservation when nothing computed from its data has
   * left it yet. False when the job is not running here (unknown, or already finished).
   */
  public boolean cancel(String jobId, String by) {
    ActiveJob job = active.get(jobId);
    if (job == null) return false;
    job.record.put("cancelledBy", by);
    finish(job, "CANCELLED", "cancelled by " + by);
    return true;
  }

  private void finish(ActiveJob job, String status, String error) {
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    active.remove(job.id);
    recentlyEnded.put(job.id, job.participants);
    job.record.put("status", status);
    metrics.counter("consilium_jobs_finished_total", "status", status).increment();
    if (error != null) {
      job.record.put("error", error);
      audit.append("job.ended", job.id, "status", status, "error", error);
      log.warn("job {} {}: {}", job.id, status.toLowerCase(java.util.Locale.ROOT), error);
      Frame abort = FrameCodec.error(MessageType.JOB_ABORT, job.id, status.toLowerCase(java.util.Locale.ROOT), error);
      for (String n : job.participants) send(n, abort);
    }
    persist(job);
  }

  private void recordRound(ActiveJob job, String round, List<String> miss) {
    List<String> present = job.participants.stream().filter(n -> !miss.contains(n)).toList();
    JsonArray rounds = job.record.getJsonArray("rounds");
    if (!rounds.isEmpty()) {
      // Parties already dropped in an earlier round are not "present" now.
      List<?> before = rounds.getJsonObject(rounds.size() - 1).getJsonArray("participants").getList();
      present = present.stream().filter(before::contains).toList();
    }
    audit.append("round.closed", job.id, "round", round, "participants", String.join(",", present), "missing", String.join(",", miss));
    rounds.add(new JsonObject().put("round", round).put("participants", new JsonArray(present))
        .put("missing", new JsonArray(miss)).put("closedAt", Instant.now().toString()));
  }

  private void send(String nodeId, Frame frame) {
    NodeConnection c = gateway.connection(nodeId);
    if (c != null) c.send(frame);
  }

  /**
   * Stores the job's record. Writes are fsynced and can fall behind a fast job, so only the
   * newest snapshot waits: a queued write takes whatever is newest when it runs.
   */
  private void persist(ActiveJob job) {
    JsonObject snapshot = job.record.copy().put("updatedAt", Instant.now().toString());
    if (unsaved.put(job.id, snapshot) != null) return;
    vertx.executeBlocking(() -> {
      JsonObject newest = unsaved.remove(job.id);
      if (newest != null) state.jobs().put(job.id, newest.encode());
      return null;
    });
  }

  /** The live record of a job this instance runs (newer than the stored one), if it runs here. Call on the runner's context. */
  public java.util.Optional<JsonObject> live(String jobId) {
    ActiveJob job = active.get(jobId);
    return job == null ? java.util.Optional.empty() : java.util.Optional.of(job.record.copy().put("updatedAt", Instant.now().toString()));
  }

}
