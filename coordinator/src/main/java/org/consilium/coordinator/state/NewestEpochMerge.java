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
  /** What a stored value says of its job: its ownership epoch and whether it was released. */
  private record Stored(long epoch, boolean released) {
    /** For the job states ("EPOCH:STATUS:state") and the API's job records (JSON with "epoch" and "status"). */
    static Stored of(String value) {
      if (value == null) return new Stored(-1, false);
      if (!value.startsWith("{")) return new Stored(JobStore.epochOf(value), "RELEASED".equals(JobStore.statusOf(value)));
      try {
        io.vertx.core.json.JsonObject record = new io.vertx.core.json.JsonObject(value);
        return new Stored(record.getLong("epoch", 0L), "RELEASED".equals(record.getString("status", "")));
      } catch (RuntimeException e) {
        return new Stored(0, false);
      }
    }
  }

  /** Which of two values of one job to keep (true: the merging one). */
  static boolean keepMerging(String merging, String existing) {
    Stored m = Stored.of(merging);
    Stored e = Stored.of(existing);
    if (m.released() != e.released()) return m.released();
    return m.epoch() > e.epoch();
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
