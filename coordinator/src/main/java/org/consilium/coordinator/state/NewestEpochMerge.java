package org.consilium.coordinator.state;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;

/**
 * How two halves of a split cluster agree on a job when they meet again. A released job stays
 * released: the nodes took its result, which nothing can take back (and they follow one owner
 * at a time, so two halves never release different results). Otherwise the entry with the
 * newer ownership epoch wins (on a tie, the one already there): an instance cut off from the
 * others kept writing its old view of a job while another took it over, and Hazelcast's
 * default would keep whichever side it merges into.
 */
public final class NewestEpochMerge implements SplitBrainMergePolicy<String, MergingValue<String>, Object> {
  /** For the job states ("EPOCH:state") and the API's job records (JSON with an "epoch" field). */
  static long epochOf(String value) {
    if (value == null) return -1;
    if (!value.startsWith("{")) return JobStore.epochOf(value);
    try {
      return new io.vertx.core.json.JsonObject(value).getLong("epoch", 0L);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** The job status a stored value names: the job states' "EPOCH:STATUS:state", or the records' "status" field. */
  static String statusOf(String value) {
    if (value == null) return "";
    if (!value.startsWith("{")) return JobStore.statusOf(value);
    try {
      return new io.vertx.core.json.JsonObject(value).getString("status", "");
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** Which of two values of one job to keep (true: the merging one). */
  static boolean keepMerging(String merging, String existing) {
    boolean mergingReleased = "RELEASED".equals(statusOf(merging));
    if (mergingReleased != "RELEASED".equals(statusOf(existing))) return mergingReleased;
    return epochOf(merging) > epochOf(existing);
  }

  @Override
  public Object merge(MergingValue<String> merging, MergingValue<String> existing) {
    if (existing == null) return merging.getRawValue();
    return keepMerging(merging.getDeserializedValue(), existing.getDeserializedValue()) ? merging.getRawValue() : existing.getRawValue();
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
