package org.consilium.coordinator.jobs;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import org.consilium.analytics.wire.Frame;
import org.consilium.coordinator.state.ClusterState;
import org.consilium.coordinator.state.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores each change of a job before the frames it caused leave: the job's state is written to
 * the cluster with its fencing token, and only when that write is acknowledged (by the map's
 * backup and the durable store) and the audit entries recorded so far are on disk are the queued
 * frames sent. Writes of one job are serialised and
 * coalesced: while one is in flight, later changes wait and go together in the next. A write the
 * store refuses (another instance holds a newer epoch) drops the queued frames and hands the job
 * over. The API's view of the job (its JSON record) is written after its state.
 */
final class JobJournal {
  private static final Logger log = LoggerFactory.getLogger(JobJournal.class);
  private final Vertx vertx;
  private final Context context;
  private final ClusterState state;
  private final JobStore store;
  private final BiConsumer<String, Frame> send;
  /** Completes once every audit entry submitted so far is on disk. */
  private final Supplier<CompletableFuture<Void>> audited;
  private final Consumer<LiveJob> fencedOut;
  private final Map<String, JsonObject> unsavedViews = new ConcurrentHashMap<>();
  /** Each job's newest record from the moment it is committed until it is in the jobs map. */
  private final Map<String, JsonObject> newest = new ConcurrentHashMap<>();

  JobJournal(Vertx vertx, ClusterState state, JobStore store, Supplier<CompletableFuture<Void>> audited, BiConsumer<String, Frame> send,
      Consumer<LiveJob> fencedOut) {
    this.vertx = vertx;
    this.audited = audited;
    this.context = vertx.getOrCreateContext();
    this.state = state;
    this.store = store;
    this.send = send;
    this.fencedOut = fencedOut;
  }

  /** This instance, as a job's state names its owner. */
  String owner() {
    return state.memberId();
  }

  /** Stores the job as it is now, then sends what it queued. Call on the runner's context. */
  void commit(LiveJob job) {
    if (job.storing) {
      job.dirty = true;
      return;
    }
    List<LiveJob.Outgoing> out = List.copyOf(job.outbox);
    job.outbox.clear();
    List<Runnable> waiting = List.copyOf(job.afterStored);
    job.afterStored.clear();
    JsonObject view = job.record.copy().put("updatedAt", Instant.now().toString()).put("epoch", job.epoch);
    newest.put(job.id, view);
    job.storing = true;
    // The state write and the audit's group commit run together; frames leave once both are done.
    CompletableFuture<Void> audit = audited.get();
    store.write(job.state()).thenCombine(audit, (stored, a) -> stored).whenComplete((stored, error) -> context.runOnContext(v -> {
      job.storing = false;
      if (error != null) {
        // The cluster could not take the write: keep the frames and try again shortly.
        log.warn("job {}: storing its state failed ({}); retrying", job.id, error.getMessage());
        job.outbox.addAll(0, out);
        job.afterStored.addAll(0, waiting);
        job.dirty = false;
        vertx.setTimer(500, t -> commit(job));
        return;
      }
      if (!stored) {
        newest.remove(job.id, view);
        fencedOut.accept(job);
        waiting.forEach(Runnable::run); // the job is stored: by its newer owner
        return;
      }
      out.forEach(o -> send.accept(o.node(), o.frame()));
      waiting.forEach(Runnable::run);
      saveView(job.id, view);
      if (job.dirty) {
        job.dirty = false;
        commit(job);
      }
    }));
  }

  /** Every record committed here and not yet in the jobs map, by job id (copies). */
  Map<String, JsonObject> unstored() {
    Map<String, JsonObject> out = new java.util.TreeMap<>();
    newest.forEach((id, r) -> out.put(id, r.copy()));
    return out;
  }

  /** A job's record committed here and not yet in the jobs map (newer than what the map holds), if any. */
  java.util.Optional<JsonObject> unstored(String jobId) {
    return java.util.Optional.ofNullable(newest.get(jobId)).map(JsonObject::copy);
  }

  /** The API's record of the job. Writes can fall behind a fast job, so only the newest waits. */
  private void saveView(String id, JsonObject view) {
    if (unsavedViews.put(id, view) != null) return;
    vertx.executeBlocking(() -> {
      JsonObject latest = unsavedViews.remove(id);
      if (latest != null) {
        state.jobs().set(id, latest.encode());
        newest.remove(id, latest);
      }
      return null;
    });
  }
}
