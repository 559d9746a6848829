package org.consilium.coordinator.jobs;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
 * Taking over jobs whose owner left the cluster: a job is claimed (its epoch raised, so the old
 * owner's writes are refused from then on) by one instance only, and rebuilt from its stored
 * state. Claims happen when an instance starts, when one leaves, and when a node that runs a job
 * this instance does not know resumes it here.
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
          audit.append("job.taken_over", job.id, "from", s.getOwner(), "epoch", Long.toString(job.epoch), "step",
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
}
