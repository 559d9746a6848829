package org.consilium.mpc.sharing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.consilium.mpc.field.PrimeField;

/**
 * Shamir t-of-n secret sharing over GF(2^61-1), coordinate-wise on vectors of field elements.
 *
 * <p>Any t shares reconstruct the secret; any t-1 reveal nothing about it. Reconstruction from
 * more than t shares checks that all of them lie on the same polynomial and throws
 * {@link InconsistentSharesException} if they do not, so a corrupted share is detected rather
 * than silently producing a wrong secret.
 */
public final class Shamir {
  private final int threshold;
  private final int parties;

  /** A t-of-n scheme; parties are indexed 1..n. */
  public Shamir(int threshold, int parties) {
    if (threshold < 1 || threshold > parties) {
      throw new IllegalArgumentException("threshold must be in 1.." + parties + ", was " + threshold);
    }
    if (parties >= PrimeField.P) throw new IllegalArgumentException("too many parties: " + parties);
    this.threshold = threshold;
    this.parties = parties;
  }

  public int threshold() {
    return threshold;
  }

  public int parties() {
    return parties;
  }

  /** Shares a vector of field elements; returns the share for party i at index i-1. */
  public List<ShamirShare> split(long[] secret, RandomGenerator rng) {
    java.util.TreeSet<Integer> everyone = new java.util.TreeSet<>();
    for (int x = 1; x <= parties; x++) everyone.add(x);
    return split(secret, everyone, rng);
  }

  /**
   * Shares a vector among some of the parties only (SecAgg+: a party's neighbours), one share per
   * holder in the holders' order: the work grows with the holders, not with n.
   */
  public List<ShamirShare> split(long[] secret, java.util.SortedSet<Integer> holders, RandomGenerator rng) {
    if (holders.size() < threshold) {
      throw new IllegalArgumentException(holders.size() + " holders cannot reconstruct a " + threshold + "-of-n sharing");
    }
    if (holders.first() < 1 || holders.last() > parties) {
      throw new IllegalArgumentException("holders " + holders + " are not all in 1.." + parties);
    }
    int len = secret.length;
    long[][] coeffs = new long[len][threshold];
    for (int c = 0; c < len; c++) {
      coeffs[c][0] = PrimeField.requireElement(secret[c], "secret coordinate " + c);
      for (int k = 1; k < threshold; k++) coeffs[c][k] = PrimeField.random(rng);
    }
    List<ShamirShare> shares = new ArrayList<>(holders.size());
    for (int x : holders) {
      long[] ys = new long[len];
      for (int c = 0; c < len; c++) ys[c] = evaluate(coeffs[c], x);
      shares.add(new ShamirShare(x, ys));
    }
    return shares;
  }

  /**
   * Reconstructs the secret from at least t shares with distinct indices. With more than t
   * shares, the extra ones are checked against the polynomial defined by the first t.
   */
  public long[] reconstruct(List<ShamirShare> shares) {
    if (shares.size() < threshold) {
      throw new IllegalArgumentException(
          "need at least " + threshold + " shares to reconstruct, got " + shares.size());
    }
    Set<Integer> seen = new HashSet<>();
    int len = shares.get(0).length();
    for (ShamirShare s : shares) {
      if (s.x() > parties) throw new IllegalArgumentException("share index " + s.x() + " exceeds n=" + parties);
      if (!seen.add(s.x())) throw new IllegalArgumentException("duplicate share index " + s.x());
      if (s.length() != len) {
        throw new IllegalArgumentException("share " + s.x() + " has " + s.length() + " values, expected " + len);
      }
    }
    List<ShamirShare> basis = shares.subList(0, threshold);
    // The Lagrange denominators depend only on the basis: inverted once, for the secret and every check.
    long[] xs = new long[threshold];
    for (int i = 0; i < threshold; i++) xs[i] = basis.get(i).x();
    long[] inverseDenominators = inverseDenominators(xs);
    long[] secret = combine(basis, weightsAt(xs, inverseDenominators, 0), len);
    for (ShamirShare extra : shares.subList(threshold, shares.size())) {
      long[] expected = combine(basis, weightsAt(xs, inverseDenominators, extra.x()), len);
      for (int c = 0; c < len; c++) {
        if (expected[c] != extra.value(c)) {
          throw new InconsistentSharesException(
              "share of party " + extra.x() + " does not lie on the polynomial of the other shares");
        }
      }
    }
    return secret;
  }

  /** 1 / prod_{j != i} (x_i - x_j) for every i, with a single field inversion (Montgomery's trick). */
  private static long[] inverseDenominators(long[] xs) {
    int t = xs.length;
    long[] den = new long[t];
    for (int i = 0; i < t; i++) {
      long d = 1;
      for (int j = 0; j < t; j++) if (i != j) d = PrimeField.mul(d, PrimeField.sub(xs[i], xs[j]));
      den[i] = d;
    }
    long[] prefix = new long[t + 1];
    prefix[0] = 1;
    for (int i = 0; i < t; i++) prefix[i + 1] = PrimeField.mul(prefix[i], den[i]);
    long inverse = PrimeField.inv(prefix[t]);
    long[] out = new long[t];
    for (int i = t - 1; i >= 0; i--) {
      out[i] = PrimeField.mul(inverse, prefix[i]);
      inverse = PrimeField.mul(inverse, den[i]);
    }
    return out;
  }

  /** The Lagrange weights of the basis points for evaluation at a point: prod_{j != i} (at - x_j) / den_i. */
  private static long[] weightsAt(long[] xs, long[] inverseDenominators, long at) {
    int t = xs.length;
    long a = PrimeField.reduce(at);
    long[] suffix = new long[t + 1];
    suffix[t] = 1;
    for (int j = t - 1; j >= 0; j--) suffix[j] = PrimeField.mul(suffix[j + 1], PrimeField.sub(a, xs[j]));
    long[] w = new long[t];
    long prefix = 1;
    for (int i = 0; i < t; i++) {
      w[i] = PrimeField.mul(PrimeField.mul(prefix, suffix[i + 1]), inverseDenominators[i]);
      prefix = PrimeField.mul(prefix, PrimeField.sub(a, xs[i]));
    }
    return w;
  }

  private static long[] combine(List<ShamirShare> basis, long[] weights, int len) {
    long[] result = new long[len];
    for (int i = 0; i < basis.size(); i++) {
      ShamirShare share = basis.get(i);
      for (int c = 0; c < len; c++) result[c] = PrimeField.add(result[c], PrimeField.mul(weights[i], share.value(c)));
    }
    return result;
  }

  private static long evaluate(long[] coeffs, long x) {
    long acc = 0;
    for (int k = coeffs.length - 1; k >= 0; k--) acc = PrimeField.add(PrimeField.mul(acc, x), coeffs[k]);
    return acc;
  }

}
