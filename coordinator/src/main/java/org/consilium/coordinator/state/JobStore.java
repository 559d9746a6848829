package org.consilium.coordinator.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.consilium.analytics.wire.JobState;
import org.consilium.analytics.wire.JobStatus;

/**
 * The resumable state of running jobs, in a Hazelcast map backed by the durable store, written
 * with a fencing token. Each state carries an epoch: an instance writes only while the stored
 * epoch is not newer than its own, and taking a job over ({@link #claim}) raises it, so an old
 * owner that was paused (or cut off and came back) finds its writes refused and stops driving
 * the job before it sends anything. An ended job's state never changes again: after two halves
 * of a split cluster merge, the instance whose view lost finds its writes refused the same way.
 * Values are "EPOCH:STATUS:base64(JobState)", so the checks read the epoch and status without
 * parsing the state.
 */
public final class JobStore {
  private final IMap<String, String> map;

  public JobStore(ClusterState state) {
    this.map = state.jobStates();
  }

  /** True for the statuses after which nothing more happens to a job. */
  public static boolean isFinal(JobStatus s) {
    return s == JobStatus.RELEASED || s == JobStatus.REFUSED || s == JobStatus.FAILED || s == JobStatus.CANCELLED;
  }

  /** The same for a status as a job's record names it. */
  public static boolean isFinal(String status) {
    try {
      return status != null && isFinal(JobStatus.valueOf(status));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Writes a state unless another instance holds a newer epoch; completes with false when this instance was fenced out. */
  public CompletionStage<Boolean> write(JobState state) {
    return map.submitToKey(state.getSpec().getJobId(), new ConditionalWrite(state.getEpoch(), false, encode(state)));
  }

  /**
   * Takes a job over for owner: succeeds (with the new state, epoch + 1) only if the stored epoch
   * is still the one seen, so of two instances racing for a job one wins.
   */
  public CompletionStage<Optional<JobState>> claim(JobState seen, String owner) {
    JobState claimed = seen.toBuilder().setEpoch(seen.getEpoch() + 1).setOwner(owner).build();
    return map.submitToKey(seen.getSpec().getJobId(), new ConditionalWrite(seen.getEpoch(), true, encode(claimed)))
        .thenApply(won -> won ? Optional.of(claimed) : Optional.empty());
  }

  /** The stored state of a job (blocking). */
  public Optional<JobState> read(String jobId) {
    String v = map.get(jobId);
    return v == null ? Optional.empty() : Optional.of(decode(jobId, v));
  }

  /** Running jobs whose owner is not among the live instances: nobody drives them (blocking). */
  public List<JobState> orphans(Set<String> liveMembers) {
    List<JobState> out = new ArrayList<>();
    for (Map.Entry<String, String> e : map.entrySet()) {
      JobState s = decode(e.getKey(), e.getValue());
      if (!isFinal(s.getStatus()) && !liveMembers.contains(s.getOwner())) out.add(s);
    }
    return out;
  }

  static String encode(JobState state) {
    return state.getEpoch() + ":" + state.getStatus().name() + ":" + Base64.getEncoder().encodeToString(state.toByteArray());
  }

  static JobState decode(String jobId, String value) {
    try {
      return JobState.parseFrom(Base64.getDecoder().decode(value.substring(value.lastIndexOf(':') + 1)));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalStateException("the stored state of job " + jobId + " does not parse: " + e.getMessage());
    }
  }

  static long epochOf(String value) {
    return value == null ? -1 : Long.parseLong(value.substring(0, value.indexOf(':')));
  }

  /** The status a stored value names ("" for a value without one). */
  static String statusOf(String value) {
    int first = value.indexOf(':');
    int last = value.lastIndexOf(':');
    return last > first ? value.substring(first + 1, last) : "";
  }

  /**
   * Sets the value if the stored epoch allows it: at most the writer's (a fenced write), or
   * exactly the one the claimer saw (a claim); never over an ended job's state (unless it is
   * the same). Runs on the key's partition owner.
   */
  static final class ConditionalWrite implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final long epoch;
    private final boolean exactly;
    private final String value;

    ConditionalWrite(long epoch, boolean exactly, String value) {
      this.epoch = epoch;
      this.exactly = exactly;
      this.value = value;
    }

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      String current = entry.getValue();
      long stored = epochOf(current);
      if (exactly ? stored != epoch : stored > epoch) return false;
      if (current != null && !current.equals(value) && isFinal(statusOf(current))) return false;
      entry.setValue(value);
      return true;
    }
  }
}
