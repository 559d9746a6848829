package org.consilium.he.aggregation;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One threshold-Paillier aggregation, as every party and the server know it: which job and step
 * it belongs to (the contributions' signatures are bound to both, so a contribution from one
 * step cannot be replayed into the decryption of another), who takes part, the threshold and
 * the vector length.
 */
public record AggregationSession(String jobId, int step, SortedSet<String> participants, int threshold, int length) {
  public AggregationSession {
    if (jobId == null || jobId.isBlank()) throw new IllegalArgumentException("an aggregation session needs a job id");
    if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
    participants = Collections.unmodifiableSortedSet(new TreeSet<>(participants));
    if (threshold < 1 || threshold > participants.size()) {
      throw new IllegalArgumentException("threshold must be in 1.." + participants.size() + ", got " + threshold);
    }
    if (length < 1) throw new IllegalArgumentException("vector length must be >= 1, got " + length);
  }
}
