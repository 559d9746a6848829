package org.consilium.mpc.sharing;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.consilium.mpc.field.PrimeField;
import org.consilium.mpc.ring.RingVector;

/**
 * n-of-n additive secret sharing, over the ring Z_2^64 or over GF(2^61-1): the shares are
 * uniformly random subject to summing to the secret, so any n - 1 of them are independent of
 * it, and all n are needed to reconstruct.
 */
public final class AdditiveSharing {
  private AdditiveSharing() {}

  /** Splits a ring vector into n shares that add up to it modulo 2^64. */
  public static List<RingVector> splitRing(RingVector secret, int n, RandomGenerator rng) {
    requireParties(n);
    List<RingVector> out = new ArrayList<>(n);
    long[] last = secret.toArray();
    for (int i = 0; i < n - 1; i++) {
      long[] s = new long[last.length];
      for (int k = 0; k < s.length; k++) {
        s[k] = rng.nextLong();
        last[k] -= s[k];
      }
      out.add(RingVector.adopt(s));
    }
    out.add(RingVector.adopt(last));
    return out;
  }

  public static RingVector reconstructRing(List<RingVector> shares) {
    RingVector acc = RingVector.zeros(shares.get(0).length());
    for (RingVector s : shares) acc = acc.plus(s);
    return acc;
  }

  /** Splits field elements into n shares that add up to them modulo p (share i is for party i+1). */
  public static List<ShamirShare> splitField(long[] secret, int n, RandomGenerator rng) {
    requireParties(n);
    long[] last = secret.clone();
    for (int k = 0; k < last.length; k++) PrimeField.requireElement(last[k], "secret coordinate " + k);
    List<ShamirShare> out = new ArrayList<>(n);
    for (int i = 0; i < n - 1; i++) {
      long[] s = new long[last.length];
      for (int k = 0; k < s.length; k++) {
        s[k] = PrimeField.random(rng);
        last[k] = PrimeField.sub(last[k], s[k]);
      }
      out.add(new ShamirShare(i + 1, s));
    }
    out.add(new ShamirShare(n, last));
    return out;
  }

  /** Adds all n field shares; every party's share is needed. */
  public static long[] reconstructField(List<ShamirShare> shares, int n) {
    if (shares.size() != n) throw new IllegalArgumentException("additive sharing needs all " + n + " shares, got " + shares.size());
    long[] acc = new long[shares.get(0).length()];
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (ShamirShare s : shares) {
      if (!seen.add(s.x())) throw new IllegalArgumentException("duplicate share of party " + s.x());
      if (s.length() != acc.length) throw new IllegalArgumentException("share of party " + s.x() + " has the wrong length");
      for (int k = 0; k < acc.length; k++) acc[k] = PrimeField.add(acc[k], s.value(k));
    }
    return acc;
  }

  private static void requireParties(int n) {
    if (n < 2) throw new IllegalArgumentException("additive sharing needs at least 2 parties, got " + n);
  }
}
