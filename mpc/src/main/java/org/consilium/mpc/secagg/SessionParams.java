package org.consilium.mpc.secagg;

import java.util.Arrays;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What every party of one aggregation agrees on up front: a session id that binds all keys,
 * signatures and ciphertexts to this aggregation, the party indices (1..n, used as Shamir
 * x-coordinates), the threshold t, and the vector length.
 */
public record SessionParams(byte[] sessionId, SortedSet<Integer> parties, int threshold, int vectorLength) {
  public SessionParams {
    if (sessionId.length < 8 || sessionId.length > 64) {
      throw new IllegalArgumentException("session id must be 8..64 bytes, was " + sessionId.length);
    }
    sessionId = sessionId.clone();
    parties = Collections.unmodifiableSortedSet(new TreeSet<>(parties));
    if (parties.isEmpty() || parties.first() < 1) {
      throw new IllegalArgumentException("party indices must be positive: " + parties);
    }
    if (threshold < 2 || threshold > parties.size()) {
      throw new IllegalArgumentException(
          "threshold must be in 2.." + parties.size() + " for " + parties.size() + " parties, was " + threshold);
    }
    if (vectorLength < 1) throw new IllegalArgumentException("vector length must be positive, was " + vectorLength);
  }

  /** The default threshold: a strict majority of n. */
  public static int majority(int n) {
    return n / 2 + 1;
  }

  @Override
  public byte[] sessionId() {
    return sessionId.clone();
  }

  int maxParty() {
    return parties.last();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SessionParams p && Arrays.equals(p.sessionId, sessionId) && p.parties.equals(parties)
        && p.threshold == threshold && p.vectorLength == vectorLength;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sessionId) * 31 + parties.hashCode();
  }
}
