package org.consilium.coordinator.state;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import java.util.function.ToLongFunction;

/**
 * How two halves of a split cluster agree on a job when they meet again: the entry with the
 * newer ownership epoch wins (on a tie, the one already there). An instance cut off from the
 * others kept writing its old view of a job while another took it over; without this policy
 * Hazelcast could keep the cut-off instance's stale state (its default keeps whichever side
 * it merges into).
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

  @Override
  public Object merge(MergingValue<String> merging, MergingValue<String> existing) {
    if (existing == null) return merging.getRawValue();
    ToLongFunction<MergingValue<String>> epoch = v -> epochOf(v.getDeserializedValue());
    return epoch.applyAsLong(merging) > epoch.applyAsLong(existing) ? merging.getRawValue() : existing.getRawValue();
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
