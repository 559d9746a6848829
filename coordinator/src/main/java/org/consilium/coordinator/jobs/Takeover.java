package org.consilium.coordinator.jobs;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import org.consilium.analytics.wire.Frame;
import org.consilium.analytics.codec.FrameCodec;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobResume;
import org.consilium.analytics.wire.JobStatus;
import org.consilium.analytics.wire.MessageType;
import org.consilium.coordinator.gateway.NodeConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.consilium.analytics.audit.AuditLog;
import org.consilium.analytics.wire.JobState;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.coordinator.state.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Taking over jobs whose owner left the cluster, and nodes resuming jobs here: a job is claimed
 * (its epoch raised, so the old owner's writes are refused from then on) by one instance only,
 * and rebuilt from its stored state. Claims happen when an instance starts, when one leaves, and
 * when a node that runs a job this instance does not know resumes it here.
 */
final class Takeover {
  private static final Logger log = LoggerFactory.getLogger(Takeover.class);

  /** What asking for a job found. */
  sealed interface Found {
    /** This instance drives it now. */
    record Resumed(LiveJob job) implements Found {}

    /** It has ended: its final state. */
    record Ended(JobState state) implements Found {}

    /** Another live instance drives it. */
    record OwnedElsewhere(String owner) implements Found {}

    /** No such job is stored. */
    record Unknown() implements Found {}
  }

  private final Vertx vertx;
  private final Context context;
  private final ClusterState state;
  private final JobStore store;
  private final AuditLog audit;
  private final Function<JobState, LiveJob> rebuild;
  private final Consumer<LiveJob> resumed;
  private final Map<String, Future<Found>> inFlight = new HashMap<>();
  /** Each node's newest lookup on its behalf: the next one waits for it. */
  private final Map<String, Future<Found>> lastLookupOf = new HashMap<>();
  private JobLifecycle lifecycle;
  private JobJournal journal;
  private Consumer<LiveJob> fencedOut;
  private Function<String, java.util.Optional<LiveJob>> running = id -> java.util.Optional.empty();

  Takeover(Vertx vertx, ClusterState state, JobStore store, AuditLog audit, Function<JobState, LiveJob> rebuild,
      Consumer<LiveJob> resumed) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.state = state;
    this.store = store;
    this.audit = audit;
    this.rebuild = rebuild;
    this.resumed = resumed;
  }

  /** What a node's resume is handed to: the lifecycle, the journal, and what to do when this instance is found out of date. */
  void resumeWith(JobLifecycle lifecycle, JobJournal journal, Consumer<LiveJob> fencedOut,
      Function<String, java.util.Optional<LiveJob>> running) {
    this.lifecycle = lifecycle;
    this.journal = journal;
    this.fencedOut = fencedOut;
    this.running = running;
  }

  /** Claims every running job whose owner is not a live instance. Call on the runner's context. */
  void adoptOrphans() {
    vertx.executeBlocking(() -> store.orphans(state.liveMembers())).onSuccess(orphans -> orphans.forEach(s -> find(s.getSpec().getJobId())))
        .onFailure(e -> log.warn("cannot scan for jobs without a live owner: {}", e.getMessage()));
  }

  /** Finds a job this instance does not run: claims it if its owner is gone. Call on the runner's context. */
  Future<Found> find(String jobId) {
    return inFlight.computeIfAbsent(jobId, id -> {
      Future<Found> f = vertx.executeBlocking(() -> store.read(id)).compose(this::claim);
      f.onComplete(r -> inFlight.remove(id));
      return f;
    });
  }

  private Future<Found> claim(Optional<JobState> stored) {
    if (stored.isEmpty()) return Future.succeededFuture(new Found.Unknown());
    JobState s = stored.get();
    if (JobStore.isFinal(s.getStatus())) return Future.succeededFuture(new Found.Ended(s));
    String me = state.memberId();
    // Already taken over here (a node's resume can ask just after a claim finished): never claim from oneself.
    var here = s.getOwner().equals(me) ? running.apply(s.getSpec().getJobId()) : java.util.Optional.<LiveJob>empty();
    if (here.isPresent()) return Future.succeededFuture(new Found.Resumed(here.get()));
    if (!s.getOwner().equals(me) && state.liveMembers().contains(s.getOwner())) {
      return Future.succeededFuture(new Found.OwnedElsewhere(s.getOwner()));
    }
    Promise<Found> result = Promise.promise();
    store.claim(s, me).whenComplete((won, error) -> context.runOnContext(v -> {
      if (error != null) {
        result.fail(error);
      } else if (won.isEmpty()) {
        result.complete(new Found.OwnedElsewhere("another instance (it claimed the job first)"));
      } else {
        try {
          LiveJob job = rebuild.apply(won.get());
          audit.submit("job.taken_over", job.id, "from", s.getOwner(), "epoch", Long.toString(job.epoch), "step",
              Integer.toString(job.step), "events", Integer.toString(won.get().getEventsCount()));
          log.info("job {}: taken over from instance {} at step {} (epoch {})", job.id, s.getOwner(), job.step, job.epoch);
          resumed.accept(job);
          result.complete(new Found.Resumed(job));
        } catch (RuntimeException e) {
          log.error("job {}: its stored state cannot be resumed: {}", s.getSpec().getJobId(), e.toString());
          result.fail(e);
        }
      }
    }));
    return result.future();
  }

  /**
   * A node that reconnected still runs the job: if this instance does not, it finds it (taking
   * it over when its owner has left the cluster), takes the frames the node last sent unless it
   * has them, and sends the node the current round's frames again.
   */
  void onResume(NodeConnection from, Frame f, LiveJob job) {
    String jobId = f.getJobId();
    JobResume resume;
    try {
      resume = FrameCodec.payload(f, JobResume.parser());
    } catch (IllegalArgumentException e) {
      from.send(FrameCodec.error(jobId, "malformed", "JOB_RESUME: " + e.getMessage()));
      return;
    }
    if (job != null && job.partyOf.containsKey(from.nodeId())) {
      resumeNode(job, from, resume);
      return;
    }
    // Any other job, running here or not, is looked up in the store the same way, so a member
    // cannot tell a running job it is not in from an ended or a made-up one by when it is answered.
    findFor(jobId, from.nodeId()).onComplete(found -> {
      if (found.failed()) {
        from.send(FrameCodec.error(jobId, "not_owner", "the job cannot be resumed on this instance now: " + found.cause().getMessage()));
      } else if (found.result() instanceof Found.Resumed r) {
        resumeNode(r.job(), from, resume);
      } else if (found.result() instanceof Found.Ended e) {
        from.send(endedFrame(e.state())); // a participant gets its job's result or end
      } else if (found.result() instanceof Found.OwnedElsewhere) {
        from.send(FrameCodec.error(jobId, "not_owner", "another coordinator instance drives job '" + jobId + "'; connect to it"));
      } else {
        from.send(FrameCodec.error(jobId, "unknown_job", "no job '" + jobId + "'"));
      }
    });
  }

  /**
   * {@link #find} on behalf of a node: a job it does not take part in is Unknown to it, word for
   * word like one that does not exist, and its asking claims nothing.
   */
  private Future<Found> findFor(String jobId, String node) {
    // One lookup at a time per node: its answers leave in the order it asked (an order that
    // depended on what each store read found would tell an ended job from a made-up one).
    Future<?> previous = lastLookupOf.getOrDefault(node, Future.succeededFuture());
    Future<Found> found = previous.transform(ignored -> vertx.executeBlocking(() -> store.read(jobId))).compose(stored ->
        stored.isPresent() && stored.get().getSpec().getNodesList().contains(node) ? find(jobId) : Future.succeededFuture(new Found.Unknown()));
    lastLookupOf.put(node, found);
    found.onComplete(r -> lastLookupOf.remove(node, found));
    return found;
  }

  private void resumeNode(LiveJob job, NodeConnection from, JobResume resume) {
    String node = from.nodeId();
    if (!job.partyOf.containsKey(node)) {
      // Word for word what a job that does not exist gets: a member learns nothing of jobs it is not in.
      from.send(FrameCodec.error(job.id, "unknown_job", "no job '" + job.id + "'"));
      return;
    }
    if (resume.getEpoch() > job.epoch) {
      // The node says it heard a newer owner. Its word alone must not stop the job (a rogue
      // participant could stall it so): the store decides whether this instance was taken over.
      vertx.executeBlocking(() -> store.read(job.id)).onComplete(stored -> context.runOnContext(v -> {
        if (stored.succeeded() && stored.result().map(JobState::getEpoch).orElse(-1L) > job.epoch) {
          from.send(FrameCodec.error(job.id, "not_owner", "job '" + job.id + "' has a newer owner than this instance"));
          fencedOut.accept(job);
        } else {
          log.warn("job {}: node {} claims epoch {}, which no owner has stored (this instance holds {}); ignored", job.id, node,
              resume.getEpoch(), job.epoch);
          takeResumed(job, node, resume);
        }
      }));
      return;
    }
    takeResumed(job, node, resume);
  }

  /** Takes the frames a node last sent unless the job has them, and sends it the current round again. */
  private void takeResumed(LiveJob job, String node, JobResume resume) {
    for (Frame sent : resume.getLastSentList()) {
      if (!job.driving()) break;
      try {
        lifecycle.take(job, node, sent.toBuilder().setSender(node).build());
      } catch (RuntimeException e) {
        log.debug("job {}: {} re-sent a {} that is not taken now: {}", job.id, node, sent.getType(), e.getMessage());
      }
    }
    if (job.driving()) {
      lifecycle.sendRound(job, List.of(node));
      lifecycle.advance(job);
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
}
