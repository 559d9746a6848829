package org.consilium.mpc.secagg;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who masks with whom and holds whose shares (SecAgg+, Bell et al., CCS 2020): a Harary graph
 * H(k, n) over the parties in a pseudo-random order, so each party has k neighbours, k/2 on
 * either side of it on a ring. A party agrees masks with, and Shamir-shares its secrets among,
 * its neighbours only: its cost grows with k (chosen as O(log n)), not n. The order is drawn from
 * the session id, so every party and the server derive the same graph without a message and the
 * coordinator cannot pick it after seeing the parties (it fixes the session id before the keys).
 * With k >= n - 1 the graph is complete: the original protocol, everyone with everyone.
 */
public final class Neighbourhood {
  private final SortedSet<Integer> parties;
  /** The parties in ring order, or null when everyone is everyone's neighbour. */
  private final List<Integer> ring;
  private final Map<Integer, Integer> position;
  private final int k;

  private Neighbourhood(SortedSet<Integer> parties, List<Integer> ring, int k) {
    this.parties = parties;
    this.ring = ring;
    this.k = k;
    this.position = new HashMap<>();
    if (ring != null) for (int i = 0; i < ring.size(); i++) position.put(ring.get(i), i);
  }

  /** Everyone is everyone's neighbour. */
  static Neighbourhood complete(SortedSet<Integer> parties) {
    return new Neighbourhood(parties, null, parties.size() - 1);
  }

  /**
   * H(k, n) over the parties, ordered by a permutation drawn from the session id; k even and
   * below n - 1 ({@link SessionParams} checks both). Only the order is built (O(n)); a party's
   * neighbours are read off it when asked.
   */
  static Neighbourhood harary(SortedSet<Integer> parties, int k, byte[] sessionId) {
    List<Integer> ring = new ArrayList<>(parties);
    Collections.shuffle(ring, new java.util.Random(seed(sessionId)));
    return new Neighbourhood(parties, ring, k);
  }

  /** A party's neighbours, not counting itself. */
  public SortedSet<Integer> of(int party) {
    if (!parties.contains(party)) throw new IllegalArgumentException("party " + party + " is not in the session");
    TreeSet<Integer> near = new TreeSet<>();
    if (ring == null) {
      near.addAll(parties);
      near.remove(party);
    } else {
      int i = position.get(party);
      int n = ring.size();
      for (int d = 1; d <= k / 2; d++) {
        near.add(ring.get((i + d) % n));
        near.add(ring.get(Math.floorMod(i - d, n)));
      }
    }
    return Collections.unmodifiableSortedSet(near);
  }

  /** The party and its neighbours: who holds shares of its secrets. */
  public SortedSet<Integer> closed(int party) {
    TreeSet<Integer> c = new TreeSet<>(of(party));
    c.add(party);
    return c;
  }

  /** True when u and v agree a pairwise mask. */
  public boolean adjacent(int u, int v) {
    if (u == v || !parties.contains(u) || !parties.contains(v)) return false;
    if (ring == null) return true;
    int n = ring.size();
    int d = Math.floorMod(position.get(u) - position.get(v), n);
    return Math.min(d, n - d) <= k / 2;
  }

  /** The order is public; a hash of the session id only makes it one the coordinator cannot tune to the keys. */
  private static long seed(byte[] sessionId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("consilium/secagg/neighbourhood".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] h = sha.digest(sessionId);
      return ByteBuffer.wrap(h).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
