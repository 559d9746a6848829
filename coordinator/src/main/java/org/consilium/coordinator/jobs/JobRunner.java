package org.consilium.coordinator.jobs;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.stats.StatisticsQuery;
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
import org.consilium.coordinator.gateway.NodeConnection;
import org.consilium.coordinator.gateway.NodeGateway;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.he.threshold.ThresholdPublicKey;
import org.consilium.mpc.secagg.SessionParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs: offers them to nodes, drives the secure-aggregation server state machine round by
 * round (a round closes when every live participant has answered or its deadline passes), and
 * releases the noised aggregate with its privacy accounting. All methods run on one Vert.x
 * context; job records are written through to the cluster state after every change.
 */
public final class JobRunner {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
  private final Vertx vertx;
  private final ClusterState state;
  private final NodeGateway gateway;
  private final long roundTimeoutMs;
  private final SecureRandom rng = new SecureRandom();
  private final Map<String, ActiveJob> active = new HashMap<>();

  private final MeterRegistry metrics;
  private final ThresholdPublicKey heKey;

  /** heKey is the consortium's threshold Paillier key, or null if it has none. */
  public JobRunner(Vertx vertx, ClusterState state, NodeGateway gateway, int roundTimeoutSeconds, MeterRegistry metrics,
      ThresholdPublicKey heKey) {
    this.heKey = heKey;
    this.vertx = vertx;
    this.metrics = metrics;
    this.state = state;
    this.gateway = gateway;
    this.roundTimeoutMs = roundTimeoutSeconds * 1000L;
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

  private final class ActiveJob {
    final String id;
    final JobSpec spec;
    final StatisticsQuery query;
    final StatisticsQuery.NoisePlan plan;
    final Map<String, Integer> partyOf = new TreeMap<>();
    final Map<Integer, String> nodeOf = new TreeMap<>();
    final byte[] session = new byte[32];
    final Aggregation aggregation;
    final int threshold;
    final JsonObject record;
    final TreeSet<String> accepted = new TreeSet<>();
    long timer = -1;

    ActiveJob(String id, JobSpec spec, StatisticsQuery query, List<String> participants, int threshold, JsonObject record) {
      this.id = id;
      this.spec = spec;
      this.query = query;
      this.threshold = threshold;
      this.record = record;
      this.plan = query.plan(spec.getPrivacy().getEpsilon(), JobSpecs.delta(spec));
      int i = 1;
      for (String n : participants) {
        partyOf.put(n, i);
        nodeOf.put(i, n);
        i++;
      }
      rng.nextBytes(session);
      this.aggregation = spec.getAggregation() == org.consilium.analytics.wire.Aggregation.AGGREGATION_THRESHOLD_PAILLIER
          ? new PaillierAggregation(id, participants, threshold, heKey, query.vectorLength())
          : new MaskingAggregation(id, partyOf, nodeOf, new SessionParams(session, new TreeSet<>(nodeOf.keySet()), threshold,
              query.vectorLength()));
    }
  }

  /** Validates and starts a job; returns its record. */
  public JsonObject submit(JobSpec submitted) {
    StatisticsQuery query;
    try {
      query = JobSpecs.validate(submitted);
    } catch (InvalidSpecException e) {
      throw new SubmitException(400, e.getMessage());
    }
    if (submitted.getAggregation() == org.consilium.analytics.wire.Aggregation.AGGREGATION_THRESHOLD_PAILLIER && heKey == null) {
      throw new SubmitException(400, "aggregation: this consortium has no threshold Paillier key (he.public_key)");
    }
    List<String> connected = gateway.connectedNodes();
    List<String> participants = submitted.getNodesCount() == 0 ? connected : submitted.getNodesList().stream().sorted().toList();
    for (String n : participants) {
      if (!connected.contains(n)) throw new SubmitException(409, "nodes: node '" + n + "' is not connected");
    }
    if (participants.size() < 2) throw new SubmitException(409, "nodes: at least 2 connected nodes are needed, have " + participants.size());
    int t;
    try {
      t = JobSpecs.threshold(submitted, participants.size());
    } catch (InvalidSpecException e) {
      throw new SubmitException(400, e.getMessage());
    }
    String id = "job-" + UUID.randomUUID();
    JobSpec spec = submitted.toBuilder().setJobId(id).clearNodes().addAllNodes(participants).setThreshold(t).build();
    JsonObject record = new JsonObject()
        .put("id", id)
        .put("status", "OFFERED")
        .put("submittedAt", Instant.now().toString())
        .put("spec", new JsonObject(JobSpecs.toJson(spec)))
        .put("participants", new JsonArray(participants))
        .put("threshold", t)
        .put("rounds", new JsonArray())
        .put("refusals", new JsonArray());
    ActiveJob job = new ActiveJob(id, spec, query, participants, t, record);
    active.put(id, job);
    persist(job);
    JobOffer.Builder offer = JobOffer.newBuilder().setSpec(spec).setSessionId(ByteString.copyFrom(job.session));
    for (String n : participants) {
      try {
        offer.addPeers(PeerIdentity.newBuilder().setNodeId(n).setPartyIndex(job.partyOf.get(n))
            .setCertificateDer(ByteString.copyFrom(gateway.connection(n).certificate().getEncoded())));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    for (String n : participants) send(n, MessageType.JOB_OFFER, id, 0, offer.build());
    armTimer(job);
    metrics.counter("consilium_jobs_submitted_total").increment();
    log.info("job {} offered to {} (threshold {})", id, participants, t);
    return record.copy();
  }

  private void onFrame(NodeConnection from, Frame f) {
    metrics.counter("consilium_frames_received_total", "type", f.getType().name()).increment();
    ActiveJob job = active.get(f.getJobId());
    if (job == null) {
      if (f.getType() != MessageType.ERROR) from.send(FrameCodec.error(f.getJobId(), "unknown_job", "no active job '" + f.getJobId() + "'"));
      return;
    }
    Integer party = job.partyOf.get(from.nodeId());
    if (party == null) {
      from.send(FrameCodec.error(f.getJobId(), "not_a_participant", "node '" + from.nodeId() + "' is not a participant of " + job.id));
      return;
    }
    try {
      switch (f.getType()) {
        case JOB_ACCEPT -> job.accepted.add(from.nodeId());
        case JOB_REFUSE -> {
          JobDecision d = FrameCodec.payload(f, JobDecision.parser());
          job.record.getJsonArray("refusals").add(new JsonObject().put("node", from.nodeId()).put("policy", d.getPolicy())
              .put("reason", d.getReason()));
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

  /** Closes the current round early when no live participant is still expected to answer. */
  private void advanceIfComplete(ActiveJob job) {
    if (!active.containsKey(job.id)) return;
    boolean waiting = job.aggregation.pending().stream().anyMatch(n -> gateway.connection(n) != null);
    if (!waiting) closeRound(job);
  }

  private void armTimer(ActiveJob job) {
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    job.timer = vertx.setTimer(roundTimeoutMs, id -> {
      job.timer = -1;
      if (active.containsKey(job.id)) {
        log.info("job {}: round {} deadline passed; missing {}", job.id, job.aggregation.round(), job.aggregation.pending());
        closeRound(job);
      }
    });
  }

  private void closeRound(ActiveJob job) {
    String round = job.aggregation.round();
    List<String> missing = List.copyOf(job.aggregation.pending());
    Aggregation.Closed closed;
    try {
      closed = job.aggregation.close();
    } catch (Aggregation.AggregationFailedException e) {
      recordRound(job, round, missing);
      finish(job, "FAILED", e.getMessage());
      return;
    }
    recordRound(job, round, missing);
    if (closed.isFinal()) {
      release(job, closed);
      return;
    }
    job.record.put("status", "RUNNING");
    closed.sends().forEach((node, frames) -> {
      NodeConnection c = gateway.connection(node);
      if (c != null) frames.forEach(c::send);
    });
    persist(job);
    armTimer(job);
    advanceIfComplete(job);
  }

  private void release(ActiveJob job, Aggregation.Closed r) {
    List<String> contributors = r.contributors();
    List<String> dropped = job.partyOf.keySet().stream().filter(n -> !contributors.contains(n)).toList();
    JobResult result = JobResult.newBuilder().setJobId(job.id).setStatistics(job.query.release(r.sum()))
        .setAccounting(job.query.accounting(job.plan, job.threshold, contributors, dropped)).build();
    job.record.put("result", new JsonObject(JobSpecs.toJson(result)));
    for (String n : job.partyOf.keySet()) send(n, MessageType.JOB_RESULT, job.id, 4, result);
    finish(job, "RELEASED", null);
    log.info("job {} released from {} (dropped {})", job.id, contributors, dropped);
  }

  private void finish(ActiveJob job, String status, String error) {
    if (job.timer >= 0) vertx.cancelTimer(job.timer);
    active.remove(job.id);
    job.record.put("status", status);
    metrics.counter("consilium_jobs_finished_total", "status", status).increment();
    if (error != null) {
      job.record.put("error", error);
      log.warn("job {} {}: {}", job.id, status.toLowerCase(java.util.Locale.ROOT), error);
      Frame abort = FrameCodec.error(MessageType.JOB_ABORT, job.id, status.toLowerCase(java.util.Locale.ROOT), error);
      for (String n : job.partyOf.keySet()) {
        NodeConnection c = gateway.connection(n);
        if (c != null) c.send(abort);
      }
    }
    persist(job);
  }

  private void recordRound(ActiveJob job, String round, List<String> miss) {
    List<String> present = job.partyOf.keySet().stream().filter(n -> !miss.contains(n)).toList();
    JsonArray rounds = job.record.getJsonArray("rounds");
    if (!rounds.isEmpty()) {
      // Parties already dropped in an earlier round are not "present" now.
      List<?> before = rounds.getJsonObject(rounds.size() - 1).getJsonArray("participants").getList();
      present = present.stream().filter(before::contains).toList();
    }
    job.record.getJsonArray("rounds").add(new JsonObject().put("round", round)
        .put("participants", new JsonArray(present)).put("missing", new JsonArray(miss)).put("closedAt", Instant.now().toString()));
  }

  private void send(String nodeId, MessageType type, String jobId, int round, MessageLite payload) {
    NodeConnection c = gateway.connection(nodeId);
    if (c != null) c.send(FrameCodec.frame(type, jobId, round, payload));
  }


  private void persist(ActiveJob job) {
    JsonObject snapshot = job.record.copy().put("updatedAt", Instant.now().toString());
    vertx.executeBlocking(() -> state.jobs().put(job.id, snapshot.encode()));
  }
}
