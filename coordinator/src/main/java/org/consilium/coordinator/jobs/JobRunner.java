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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.wire.FrameCodec;
import org.consilium.analytics.wire.JobDecision;
import org.consilium.analytics.wire.JobOffer;
import org.consilium.analytics.wire.JobResume;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.JobSpecs;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.analytics.wire.MessageType;
import org.consilium.analytics.wire.PeerIdentity;
import org.consilium.coordinator.gateway.NodeConnection;
import org.consilium.coordinator.gateway.NodeGateway;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.coordinator.state.JobStore;
import org.consilium.he.threshold.ThresholdPublicKey;
import org.consilium.mpc.secagg.SessionParams;
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
  private final SecureRandom rng = new SecureRandom();
  private final Map<String, LiveJob> active = new HashMap<>();
  /** Participants of the newest ended jobs, so a decision arriving after the end is still recorded. */
  private final Map<String, List<String>> recentlyEnded = new java.util.LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
      return size() > 1000;
    }
  };
  private final MeterRegistry metrics;
  private final ThresholdPublicKey heKey;
  private final AuditLog audit;
  private final DataDictionary dictionary;
  private final JobJournal journal;
  private final Takeover takeover;

  /** heKey is the consortium's threshold Paillier key, or null if it has none. */
  public JobRunner(Vertx vertx, ClusterState state, NodeGateway gateway, int roundTimeoutSeconds, MeterRegistry metrics,
      ThresholdPublicKey heKey, AuditLog audit, DataDictionary dictionary) {
    this.audit = audit;
    this.dictionary = dictionary;
    this.vertx = vertx;
    this.gateway = gateway;
    this.roundTimeoutMs = roundTimeoutSeconds * 1000L;
    this.metrics = metrics;
    this.heKey = heKey;
    this.journal = new JobJournal(vertx, state, new JobStore(state), this::send, this::fencedOut);
    this.takeover = new Takeover(vertx, state, new JobStore(state), audit,
        s -> LiveJob.resume(s, dictionary, this::narratives, this::newAggregation), this::resumed);
    gateway.onFrame(this::onFrame);
    gateway.onDisconnect(this::onDisconnect);
  }

  /** Takes over the jobs no live instance drives (at start, and whenever an instance leaves the cluster). */
  public void adoptOrphans() {
    takeover.adoptOrphans();
  }

  /** A job refused at submission; the kind says why (the API maps it to a status), the message names the field or the node. */
  public static final class SubmitException extends RuntimeException {
    /** Why a job was refused at submission. */
    public enum Kind {
      /** The spec is invalid (names the field). */
      INVALID_SPEC,
      /** The consortium cannot run it now (a node is not connected or is suspended). */
      UNAVAILABLE
    }

    private final Kind kind;

    SubmitException(Kind kind, String message) {
      super(message);
      this.kind = kind;
    }

    public Kind kind() {
      return kind;
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
      throw new SubmitException(SubmitException.Kind.INVALID_SPEC, e.getMessage());
    }
    if (submitted.getAggregation() == org.consilium.analytics.wire.Aggregation.AGGREGATION_THRESHOLD_PAILLIER && heKey == null) {
      throw new SubmitException(SubmitException.Kind.INVALID_SPEC, "aggregation: this consortium has no threshold Paillier key (he.public_key)");
    }
    for (String n : participants) {
      if (!connected.contains(n)) throw new SubmitException(SubmitException.Kind.UNAVAILABLE, "nodes: node '" + n + "' is not connected");
      if (gateway.isSuspended(n)) {
        throw new SubmitException(SubmitException.Kind.UNAVAILABLE, "nodes: node '" + n + "' is suspended by an administrator");
      }
    }
    if (participants.size() < 2) {
      throw new SubmitException(SubmitException.Kind.UNAVAILABLE, "nodes: at least 2 connected nodes are needed, have " + participants.size());
    }
    String id = "job-" + UUID.randomUUID();
    JobSpec spec = submitted.toBuilder().setJobId(id).clearNodes().addAllNodes(participants).setThreshold(t)
        .setDictionarySha256(dictionary.digest()).build();
    JsonObject record = new JsonObject()
        .put("id", id)
        .put("computation", JobSpecs.computation(spec))
        .put("status", JobStatus.OFFERED.name())
        .put("submittedAt", Instant.now().toString())
        .put("submittedBy", submittedBy)
        .put("spec", new JsonObject(JobSpecs.toJson(spec)))
        .put("participants", new JsonArray(participants))
        .put("threshold", t)
        .put("rounds", new JsonArray())
        .put("refusals", new JsonArray());
    List<PeerIdentity> peers = new ArrayList<>();
    int party = 1;
    for (String n : participants) {
      try {
        peers.add(PeerIdentity.newBuilder().setNodeId(n).setPartyIndex(party++)
            .setCertificateDer(ByteString.copyFrom(gateway.connection(n).certificate().getEncoded())).build());
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    byte[] session = newSession();
    LiveJob job = new LiveJob(spec, peers, session, computation, record, this::narratives);
    job.owner = journal.owner();
    active.put(id, job);
    // A one-step computation starts on acceptance, among everyone offered, with the offer's session.
    if (computation.openingStep().isPresent()) job.beginStep(participants, session, newAggregation(job, participants, session, job.vectorLength()));
    audit.append("job.offered", id, "submitted_by", submittedBy, "computation", JobSpecs.computation(spec),
        "participants", String.join(",", participants),
        "threshold", Integer.toString(t), "epsilon", Double.toString(spec.getPrivacy().getEpsilon()), "spec_sha256", JobSpecs.digest(spec));
    JobOffer offer = JobOffer.newBuilder().setSpec(spec).setSessionId(ByteString.copyFrom(session)).addAllPeers(peers)
        .setCoordinatorAuditHead(audit.head()).build(); // each node records the head: this log cannot lose the offer unnoticed
    for (String n : participants) queue(job, n, FrameCodec.frame(MessageType.JOB_OFFER, id, 0, offer));
    armTimer(job);
    journal.commit(job);
    metrics.counter("consilium_jobs_submitted_total").increment();
    log.info("job {} ({}) offered to {} (threshold {})", id, JobSpecs.computation(spec), participants, t);
    return record.copy();
  }

  private byte[] newSession() {
    byte[] s = new byte[32];
    rng.nextBytes(s);
    return s;
  }

  private Aggregation newAggregation(LiveJob job, List<String> members, byte[] session, int length) {
    if (job.spec.getAggregation() == org.consilium.analytics.wire.Aggregation.AGGREGATION_THRESHOLD_PAILLIER) {
      if (heKey == null) throw new IllegalStateException("job " + job.id + " needs the consortium's threshold Paillier key (he.public_key)");
      return new PaillierAggregation(job.id, members, job.threshold, heKey, length);
    }
    TreeSet<Integer> parties = new TreeSet<>();
    members.forEach(n -> parties.add(job.partyOf.get(n)));
    // An advertisement is checked against the certificate the job was offered with (stored with it, so a resume checks the same).
    return new MaskingAggregation(job.id, job.partyOf, job.nodeOf, new SessionParams(session, parties, job.threshold, length),
        (p, message, signature) -> org.consilium.analytics.identity.Signatures.verify(job.certificates.get(job.nodeOf.get(p)),
            message, signature));
  }

  private void onFrame(NodeConnection from, Frame f) {
    metrics.counter("consilium_frames_received_total", "type", f.getType().name()).increment();
    if (f.getType() == MessageType.JOB_RESUME) {
      onResume(from, f);
      return;
    }
    LiveJob job = active.get(f.getJobId());
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
      take(job, from.nodeId(), f);
    } catch (RuntimeException e) {
      // A bad message from one node is refused; the round goes on without it.
      log.warn("job {}: refused {} from {}: {}", job.id, f.getType(), from.nodeId(), e.getMessage());
      from.send(FrameCodec.error(job.id, "refused", f.getType() + ": " + e.getMessage()));
      return;
    }
    advance(job);
    journal.commit(job);
  }

  /** Takes one frame of a participant into the job; throws IllegalArgumentException naming what is wrong. */
  void take(LiveJob job, String node, Frame f) {
    switch (f.getType()) {
      case JOB_ACCEPT -> {
        JobDecision d = FrameCodec.payload(f, JobDecision.parser());
        // The node's head as it accepted: its log cannot lose the acceptance unnoticed.
        if (job.accepted.add(node)) {
          audit.append("job.accepted_by", job.id, "node", node, "epsilon_reserved", Double.toString(d.getEpsilonReserved()),
              "node_head", d.getNodeAuditHead());
        }
      }
      case JOB_REFUSE -> {
        JobDecision d = FrameCodec.payload(f, JobDecision.parser());
        if (job.accepted.contains(node)) {
          // A refusal counts only before acceptance. Afterwards the node has merely stopped: a dropout,
          // which the rounds absorb while t remain, so one participant cannot fail the job (and burn
          // every honest node's budget) by "refusing" late.
          log.warn("job {}: node {} refused after accepting ({}); treated as a dropout", job.id, node, d.getPolicy());
          audit.append("job.late_refusal", job.id, "node", node, "policy", d.getPolicy(), "treated_as", "dropout",
              "node_head", d.getNodeAuditHead());
          job.record.put("lastNodeError", node + " refused after accepting; treated as a dropout");
          return;
        }
        job.record.getJsonArray("refusals").add(new JsonObject().put("node", node).put("policy", d.getPolicy())
            .put("reason", d.getReason()));
        audit.append("job.refused", job.id, "node", node, "policy", d.getPolicy(), "reason", d.getReason(),
            "node_head", d.getNodeAuditHead());
        finish(job, JobStatus.REFUSED, "refused by node '" + node + "' (" + d.getPolicy() + "): " + d.getReason());
      }
      case ERROR -> {
        String msg = FrameCodec.payload(f, ErrorReport.parser()).getMessage();
        log.warn("job {}: node {} reported: {}", job.id, node, msg);
        job.record.put("lastNodeError", node + ": " + msg);
      }
      default -> {
        if (!job.accepted.contains(node)) throw new IllegalArgumentException("protocol message before accepting the job");
        if (job.aggregation == null || f.getStep() > job.step) {
          throw new IllegalArgumentException("message for step " + f.getStep() + ", the job is at step " + job.step);
        }
        // A frame of an earlier step, or one this step already has, is a copy a node sent again after a takeover.
        if (f.getStep() < job.step || job.alreadyReceived(node, f)) return;
        job.receive(node, f);
      }
    }
  }

  /**
   * A node that reconnected still runs the job: if this instance does not, it finds it (taking
   * it over when its owner has left the cluster), takes the frames the node last sent unless it
   * has them, and sends the node the current round's frames again.
   */
  private void onResume(NodeConnection from, Frame f) {
    String jobId = f.getJobId();
    JobResume resume;
    try {
      resume = FrameCodec.payload(f, JobResume.parser());
    } catch (IllegalArgumentException e) {
      from.send(FrameCodec.error(jobId, "malformed", "JOB_RESUME: " + e.getMessage()));
      return;
    }
    LiveJob job = active.get(jobId);
    if (job != null) {
      resumeNode(job, from, resume);
      return;
    }
    takeover.find(jobId).onComplete(found -> {
      if (found.failed()) {
        from.send(FrameCodec.error(jobId, "not_owner", "the job cannot be resumed on this instance now: " + found.cause().getMessage()));
      } else if (found.result() instanceof Takeover.Found.Resumed r) {
        resumeNode(r.job(), from, resume);
      } else if (found.result() instanceof Takeover.Found.Ended e) {
        from.send(endedFrame(e.state()));
      } else if (found.result() instanceof Takeover.Found.OwnedElsewhere o) {
        from.send(FrameCodec.error(jobId, "not_owner", "another coordinator instance drives job '" + jobId + "'; connect to it"));
      } else {
        from.send(FrameCodec.error(jobId, "unknown_job", "no job '" + jobId + "'"));
      }
    });
  }

  private void resumeNode(LiveJob job, NodeConnection from, JobResume resume) {
    String node = from.nodeId();
    if (!job.partyOf.containsKey(node)) {
      from.send(FrameCodec.error(job.id, "not_a_participant", "node '" + node + "' is not a participant of " + job.id));
      return;
    }
    if (resume.getEpoch() > job.epoch) {
      // The node has heard from a newer owner than this instance: this one was taken over.
      from.send(FrameCodec.error(job.id, "not_owner", "job '" + job.id + "' has a newer owner than this instance"));
      fencedOut(job);
      return;
    }
    for (Frame sent : resume.getLastSentList()) {
      if (active.get(job.id) != job) break;
      try {
        take(job, node, sent.toBuilder().setSender(node).build());
      } catch (RuntimeException e) {
        log.debug("job {}: {} re-sent a {} that is not taken now: {}", job.id, node, sent.getType(), e.getMessage());
      }
    }
    if (active.get(job.id) == job) {
      sendRound(job, List.of(node));
      advance(job);
    }
    journal.commit(job);
  }

  /** What a node that resumes an ended job is told: the result, or why it ended. */
  private static Frame endedFrame(org.consilium.analytics.wire.JobState s) {
    JsonObject record = new JsonObject(s.getRecordJson());
    String id = s.getSpec().getJobId();
    if (s.getStatus() == JobStatus.RELEASED && record.containsKey("result")) {
      JobResult.Builder r = JobResult.newBuilder();
      try {
        com.google.protobuf.util.JsonFormat.parser().merge(record.getJsonObject("result").encode(), r);
        return FrameCodec.frame(MessageType.JOB_RESULT, id, 0, r.build()).toBuilder().setEpoch(s.getEpoch()).build();
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        log.warn("job {}: its stored result does not parse: {}", id, e.getMessage());
      }
    }
    return FrameCodec.error(MessageType.JOB_ABORT, id, s.getStatus().name().toLowerCase(Locale.ROOT),
        record.getString("error", "the job ended " + s.getStatus().name().toLowerCase(Locale.ROOT)));
  }

  private void onDisconnect(String nodeId) {
    for (LiveJob job : new ArrayList<>(active.values())) {
      if (job.partyOf.containsKey(nodeId)) {
        advance(job);
        journal.commit(job);
      }
    }
  }

  /** Who the job still waits for now: acceptances (before a multi-step job's first step) or the round's answers. */
  private SortedSet<String> pending(LiveJob job) {
    if (job.aggregation != null) return job.aggregation.pending();
    TreeSet<String> p = new TreeSet<>(job.participants);
    p.removeAll(job.accepted);
    return p;
  }

  /**
   * Closes rounds for as long as no live participant is still expected to answer. Right after a
   * takeover a node that has not reconnected yet is not gone: until the round closes, only its
   * deadline (or every answer) closes it.
   */
  void advance(LiveJob job) {
    while (active.get(job.id) == job) {
      SortedSet<String> pending = pending(job);
      if (pending.stream().anyMatch(n -> gateway.connection(n) != null)) return;
      if (job.resumedWaiting && !pending.isEmpty()) return;
      closeRound(job);
    }
  }

  private void armTimer(LiveJob job) {
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    job.timer = vertx.setTimer(roundTimeoutMs, id -> {
      job.timer = -1;
      if (active.get(job.id) == job) {
        log.info("job {}: step {} deadline passed; missing {}", job.id, job.step, pending(job));
        closeRound(job);
        advance(job);
        journal.commit(job);
      }
    });
  }

  private void closeRound(LiveJob job) {
    job.resumedWaiting = false;
    if (job.aggregation == null) {
      // A multi-step job has its acceptances: start the first step with those who accepted.
      List<String> accepted = List.copyOf(job.accepted);
      if (accepted.size() < job.threshold) {
        finish(job, JobStatus.FAILED, "only " + accepted.size() + " of " + job.participants.size() + " nodes accepted, threshold is "
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
      closed = job.closeRound();
    } catch (Aggregation.AggregationFailedException e) {
      recordRound(job, round, missing);
      finish(job, JobStatus.FAILED, (job.computation.openingStep().isEmpty() ? "step " + job.step + ", " : "") + e.getMessage());
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
    setStatus(job, JobStatus.RUNNING);
    sendRound(job, job.roundSends.keySet());
    armTimer(job);
  }

  private String roundLabel(LiveJob job) {
    return job.computation.openingStep().isPresent() ? job.aggregation.round()
        : "step " + job.step + " " + job.driver.current().getKind() + ": " + job.aggregation.round();
  }

  /** Starts the next step of a multi-step job among the survivors of the last. */
  private void startStep(LiveJob job, List<String> members) {
    byte[] session = newSession();
    job.beginStep(members, session, newAggregation(job, members, session, job.vectorLength()));
    setStatus(job, JobStatus.RUNNING);
    job.record.put("step", job.step);
    sendRound(job, members);
    armTimer(job);
  }

  /** Queues the current round's frames for these nodes, tagged with the step and the job's epoch. */
  void sendRound(LiveJob job, java.util.Collection<String> nodes) {
    for (String n : nodes) job.roundSends.getOrDefault(n, List.of()).forEach(f -> queue(job, n, f.toBuilder().setStep(job.step).build()));
  }

  /** What each site wrote for the consortium's datasheet (from its HELLO); nothing when it is not connected now. */
  private List<DatasheetAnswer> narratives(String node) {
    NodeConnection c = gateway.connection(node);
    return c == null ? List.of() : c.hello().getDatasheetList();
  }

  private void publish(LiveJob job, JobResult result, List<String> contributors) {
    List<String> dropped = job.participants.stream().filter(n -> !contributors.contains(n)).toList();
    job.record.put("result", new JsonObject(JobSpecs.toJson(result)));
    audit.append("job.released", job.id, "result_sha256", AuditLog.digest(result.toByteArray()),
        "contributors", String.join(",", contributors), "dropped", String.join(",", dropped));
    for (String n : job.participants) queue(job, n, FrameCodec.frame(MessageType.JOB_RESULT, job.id, 0, result));
    finish(job, JobStatus.RELEASED, null);
    log.info("job {} released from {} (dropped {})", job.id, contributors, dropped);
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
    finish(job, JobStatus.CANCELLED, "cancelled by " + by);
    journal.commit(job);
    return Optional.of(job.record.copy().put("updatedAt", Instant.now().toString()));
  }

  private void setStatus(LiveJob job, JobStatus status) {
    job.status = status;
    job.record.put("status", status.name());
  }

  private void finish(LiveJob job, JobStatus status, String error) {
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    active.remove(job.id);
    recentlyEnded.put(job.id, job.participants);
    setStatus(job, status);
    metrics.counter("consilium_jobs_finished_total", "status", status.name()).increment();
    if (error != null) {
      job.record.put("error", error);
      audit.append("job.ended", job.id, "status", status.name(), "error", error);
      log.warn("job {} {}: {}", job.id, status.name().toLowerCase(Locale.ROOT), error);
      Frame abort = FrameCodec.error(MessageType.JOB_ABORT, job.id, status.name().toLowerCase(Locale.ROOT), error);
      for (String n : job.participants) queue(job, n, abort);
    }
  }

  private void recordRound(LiveJob job, String round, List<String> miss) {
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

  /** Queues a frame for a node, stamped with the job's epoch; it leaves once the job's state is stored. */
  void queue(LiveJob job, String nodeId, Frame frame) {
    job.outbox.add(new LiveJob.Outgoing(nodeId, frame.toBuilder().setEpoch(job.epoch).build()));
  }

  private void send(String nodeId, Frame frame) {
    NodeConnection c = gateway.connection(nodeId);
    if (c != null) c.send(frame);
  }

  /** Another instance took the job over (its epoch is newer): stop driving it here, sending nothing more. */
  private void fencedOut(LiveJob job) {
    if (active.get(job.id) != job) return;
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    active.remove(job.id);
    job.outbox.clear();
    audit.append("job.handed_over", job.id, "epoch", Long.toString(job.epoch));
    log.warn("job {}: another coordinator instance took it over (a newer epoch than {}); this instance stops driving it", job.id, job.epoch);
  }

  /** A job this instance took over: it runs here from now on, the current round re-sent to the nodes connected now. */
  private void resumed(LiveJob job) {
    job.resumedWaiting = true;
    LiveJob before = active.put(job.id, job);
    if (before != null && before.timer >= 0) vertx.cancelTimer(before.timer);
    sendRound(job, job.roundSends.keySet().stream().filter(n -> gateway.connection(n) != null).toList());
    armTimer(job);
    advance(job);
    journal.commit(job);
  }

  /** The job as this instance runs it, if it does. */
  Optional<LiveJob> running(String jobId) {
    return Optional.ofNullable(active.get(jobId));
  }

  /** The live record of a job this instance runs (newer than the stored one), if it runs here. Call on the runner's context. */
  public Optional<JsonObject> live(String jobId) {
    LiveJob job = active.get(jobId);
    return job == null ? Optional.empty() : Optional.of(job.record.copy().put("updatedAt", Instant.now().toString()));
  }
}
