package org.consilium.coordinator.jobs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.wire.ErrorReport;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobDecision;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.analytics.wire.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a job, without I/O: participants' frames and deadlines in, the job's record
 * changed and frames queued for the nodes out ({@link LiveJob#outbox}, sent by the runner once
 * the job's state is stored). Acceptances and refusals, rounds closed as soon as no live
 * participant is still expected (or at their deadline), the computation's driver fed each
 * step's aggregate, and the release or the end. The world it needs (which nodes are connected,
 * fresh sessions, aggregations, the audit log, timers) comes through {@link Effects}.
 */
final class JobLifecycle {
  private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);

  /** What the lifecycle asks of the program it runs in. */
  interface Effects {
    boolean connected(String node);

    byte[] newSession();

    Aggregation aggregation(LiveJob job, List<String> members, byte[] session, int length);

    void audit(String event, String jobId, String... details);

    /** Arms the current round's deadline (replacing the previous one). */
    void deadline(LiveJob job);

    /** The job has ended here (its final frames are queued). */
    void ended(LiveJob job);

    /** A round closed after nanos (since the job's previous round closed, or since it was offered), missing some parties. */
    default void roundClosed(long nanos, int missing) {}

    /**
     * Runs a slow round close off the event loop and gives its outcome (the closed round, or
     * the exception it threw) back on the job's context, then advances and stores the job.
     * The default runs it at once (tests, and a resume's replay).
     */
    default void offload(LiveJob job, java.util.function.Supplier<Aggregation.Closed> close,
        java.util.function.BiConsumer<Aggregation.Closed, RuntimeException> then) {
      Aggregation.Closed closed;
      try {
        closed = close.get();
      } catch (RuntimeException e) {
        then.accept(null, e);
        return;
      }
      then.accept(closed, null);
    }
  }

  private final Effects effects;

  JobLifecycle(Effects effects) {
    this.effects = effects;
  }

  /** Takes one frame of a participant into the job; throws IllegalArgumentException naming what is wrong. */
  void take(LiveJob job, String node, Frame f) {
    switch (f.getType()) {
      case JOB_ACCEPT -> {
        JobDecision d = FrameCodec.payload(f, JobDecision.parser());
        // The node's head as it accepted: its log cannot lose the acceptance unnoticed.
        if (job.accepted.add(node)) {
          effects.audit("job.accepted_by", job.id, "node", node, "epsilon_reserved", Double.toString(d.getEpsilonReserved()),
              "node_head", d.getNodeAuditHead(), "data_fingerprint", d.getDataSha256());
          // The dataset's keyed fingerprint, for the model's lineage.
          JsonObject fingerprints = job.record.getJsonObject("dataFingerprints", new JsonObject());
          job.record.put("dataFingerprints", fingerprints.put(node, d.getDataSha256()));
        }
      }
      case JOB_REFUSE -> {
        JobDecision d = FrameCodec.payload(f, JobDecision.parser());
        if (job.accepted.contains(node)) {
          // A refusal counts only before acceptance. Afterwards the node has merely stopped: a dropout,
          // which the rounds absorb while t remain, so one participant cannot fail the job (and burn
          // every honest node's budget) by "refusing" late.
          log.warn("job {}: node {} refused after accepting ({}); treated as a dropout", job.id, node, d.getPolicy());
          effects.audit("job.late_refusal", job.id, "node", node, "policy", d.getPolicy(), "treated_as", "dropout",
              "node_head", d.getNodeAuditHead());
          job.record.put("lastNodeError", node + " refused after accepting; treated as a dropout");
          return;
        }
        job.record.getJsonArray("refusals").add(new JsonObject().put("node", node).put("policy", d.getPolicy())
            .put("reason", d.getReason()));
        effects.audit("job.refused", job.id, "node", node, "policy", d.getPolicy(), "reason", d.getReason(),
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
        // The round is being closed on a worker: this answer came after its close, as if after the deadline.
        if (job.closing) return;
        job.receive(node, f);
      }
    }
  }

  /** Who the job still waits for now: acceptances (before a multi-step job's first step) or the round's answers. */
  SortedSet<String> pending(LiveJob job) {
    if (job.closing) return new TreeSet<>(); // the round is closing: nobody is waited for
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
    while (job.driving() && !job.closing) {
      SortedSet<String> pending = pending(job);
      if (pending.stream().anyMatch(n -> effects.connected(n))) return;
      if (job.resumedWaiting && !pending.isEmpty()) return;
      closeRound(job);
    }
  }

  void closeRound(LiveJob job) {
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
    if (job.closing) return; // a worker is closing this round already
    String round = roundLabel(job);
    List<String> missing = List.copyOf(job.aggregation.pending());
    if (job.aggregation.slowToClose()) {
      job.closing = true;
      Aggregation aggregation = job.aggregation;
      effects.offload(job, aggregation::close, (closed, error) -> {
        job.closing = false;
        if (!job.driving() || job.aggregation != aggregation) return; // ended, cancelled or handed over meanwhile
        if (error instanceof Aggregation.AggregationFailedException e) {
          failRound(job, round, missing, e);
        } else if (error != null) {
          recordRound(job, round, missing);
          auditStep(job);
          finish(job, JobStatus.FAILED, "closing round " + round + " failed: " + error.getMessage());
        } else {
          closed(job, round, missing, job.closedRound(closed));
        }
      });
      return;
    }
    Aggregation.Closed closed;
    try {
      closed = job.closeRound();
    } catch (Aggregation.AggregationFailedException e) {
      failRound(job, round, missing, e);
      return;
    }
    closed(job, round, missing, closed);
  }

  private void failRound(LiveJob job, String round, List<String> missing, Aggregation.AggregationFailedException e) {
    recordRound(job, round, missing);
    auditStep(job);
    finish(job, JobStatus.FAILED, (job.computation.openingStep().isEmpty() ? "step " + job.step + ", " : "") + e.getMessage());
  }

  /** What follows a round's close: the next round's frames, or the step's aggregate fed to the computation. */
  private void closed(LiveJob job, String round, List<String> missing, Aggregation.Closed closed) {
    recordRound(job, round, missing);
    if (closed.isFinal()) {
      auditStep(job);
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
    effects.deadline(job);
  }

  private String roundLabel(LiveJob job) {
    return job.computation.openingStep().isPresent() ? job.aggregation.round()
        : "step " + job.step + " " + job.driver.current().getKind() + ": " + job.aggregation.round();
  }

  /** Starts the next step of a multi-step job among the survivors of the last. */
  private void startStep(LiveJob job, List<String> members) {
    byte[] session = effects.newSession();
    job.beginStep(members, session, effects.aggregation(job, members, session, job.vectorLength()));
    setStatus(job, JobStatus.RUNNING);
    job.record.put("step", job.step);
    sendRound(job, members);
    effects.deadline(job);
  }

  /** Queues the current round's frames for these nodes, tagged with the step and the job's epoch. */
  void sendRound(LiveJob job, java.util.Collection<String> nodes) {
    for (String n : nodes) job.roundSends.getOrDefault(n, List.of()).forEach(f -> queue(job, n, f.toBuilder().setStep(job.step).build()));
  }

  private void publish(LiveJob job, JobResult result, List<String> contributors) {
    List<String> dropped = job.participants.stream().filter(n -> !contributors.contains(n)).toList();
    job.record.put("result", new JsonObject(JobSpecs.toJson(result)));
    effects.audit("job.released", job.id, "result_sha256", AuditLog.digest(result.toByteArray()),
        "contributors", String.join(",", contributors), "dropped", String.join(",", dropped));
    for (String n : job.participants) queue(job, n, FrameCodec.frame(MessageType.JOB_RESULT, job.id, 0, result));
    finish(job, JobStatus.RELEASED, null);
    log.info("job {} released from {} (dropped {})", job.id, contributors, dropped);
  }

  private void setStatus(LiveJob job, JobStatus status) {
    job.status = status;
    job.record.put("status", status.name());
  }

  void finish(LiveJob job, JobStatus status, String error) {
    setStatus(job, status);
    effects.ended(job);
    if (error != null) {
      job.record.put("error", error);
      effects.audit("job.ended", job.id, "status", status.name(), "error", error);
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
    long now = System.nanoTime();
    effects.roundClosed(now - job.roundMark, miss.size());
    job.roundMark = now;
    rounds.add(new JsonObject().put("round", round).put("participants", new JsonArray(present))
        .put("missing", new JsonArray(miss)).put("closedAt", Instant.now().toString()));
  }

  /**
   * One audit entry per step, when it ends (aggregated or failed): every round of the step with
   * who took part and who was missing, from the job's record (which a takeover carries on, so a
   * step begun on another instance is audited whole).
   */
  private void auditStep(LiveJob job) {
    boolean oneStep = job.computation.openingStep().isPresent();
    String prefix = "step " + job.step + " ";
    List<String> rounds = new java.util.ArrayList<>();
    JsonArray all = job.record.getJsonArray("rounds");
    for (int i = 0; i < all.size(); i++) {
      JsonObject r = all.getJsonObject(i);
      String label = r.getString("round");
      if (!oneStep && !label.startsWith(prefix)) continue;
      rounds.add(label + " [" + names(r.getJsonArray("participants")) + "]"
          + (r.getJsonArray("missing").isEmpty() ? "" : " missing [" + names(r.getJsonArray("missing")) + "]"));
    }
    effects.audit("step.closed", job.id, "step", Integer.toString(job.step), "rounds", String.join("; ", rounds));
  }

  private static String names(JsonArray nodes) {
    return String.join(",", nodes.stream().map(String::valueOf).toList());
  }

  /** Queues a frame for a node, stamped with the job's epoch; it leaves once the job's state is stored. */
  void queue(LiveJob job, String nodeId, Frame frame) {
    job.outbox.add(new LiveJob.Outgoing(nodeId, frame.toBuilder().setEpoch(job.epoch).build()));
  }
}
