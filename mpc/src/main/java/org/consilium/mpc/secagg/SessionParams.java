package org.consilium.mpc.secagg;

import java.util.Arrays;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What every party of one aggregation agrees on up front: a session id that binds all keys,
 * signatures and ciphertexts to this aggregation, the party indices (1..n, used as Shamir
 * x-coordinates), the threshold t (no sum over fewer than t inputs is ever released), the vector
 * length, and each party's number of neighbours: {@link #EVERYONE} for the original protocol,
 * or an even k for SecAgg+ ({@link Neighbourhood}), where a party's secrets are shared among its k
 * neighbours and itself with a majority of them as threshold ({@link #shareThreshold}).
 */
public record SessionParams(byte[] sessionId, SortedSet<Integer> parties, int threshold, int vectorLength, int neighbours) {
  /** Every party is every other's neighbour (Bonawitz et al. 2017). */
  public static final int EVERYONE = 0;

  /** The original protocol: everyone masks with everyone. */
  public SessionParams(byte[] sessionId, SortedSet<Integer> parties, int threshold, int vectorLength) {
    this(sessionId, parties, threshold, vectorLength, EVERYONE);
  }

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
    if (neighbours != EVERYONE && (neighbours < 2 || neighbours % 2 != 0)) {
      throw new IllegalArgumentException("neighbours must be even and at least 2 (or EVERYONE), was " + neighbours);
    }
  }

  /** The same session with SecAgg+'s sparse graph: k neighbours per party (even; k >= n - 1 is everyone). */
  public SessionParams withNeighbours(int k) {
    return new SessionParams(sessionId, parties, threshold, vectorLength, k);
  }

  /** Who masks with whom, derived from the session id: the same at every party and the server. */
  public Neighbourhood neighbourhood() {
    return sparse(neighbours, parties.size()) ? Neighbourhood.harary(parties, neighbours, sessionId) : Neighbourhood.complete(parties);
  }

  /** True when k neighbours per party among n parties leave some pairs out (k >= n - 1 is everyone). */
  public static boolean sparse(int k, int n) {
    return k != EVERYONE && k < n - 1;
  }

  /**
   * How many of a party's share holders reconstruct its secrets: t when everyone holds a share;
   * with k neighbours, a strict majority of the k + 1 holders (fewer colluding neighbours learn
   * nothing; more than half of them may drop out before the sum is lost).
   */
  public int shareThreshold() {
    return sparse(neighbours, parties.size()) ? majority(neighbours + 1) : threshold;
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
        && p.threshold == threshold && p.vectorLength == vectorLength && p.neighbours == neighbours;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sessionId) * 31 + parties.hashCode();
  }
}
