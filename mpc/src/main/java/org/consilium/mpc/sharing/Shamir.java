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
    int len = secret.length;
    long[][] coeffs = new long[len][threshold];
    for (int c = 0; c < len; c++) {
      coeffs[c][0] = PrimeField.requireElement(secret[c], "secret coordinate " + c);
      for (int k = 1; k < threshold; k++) coeffs[c][k] = PrimeField.random(rng);
    }
    List<ShamirShare> shares = new ArrayList<>(parties);
    for (int x = 1; x <= parties; x++) {
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
    long[] secret = interpolateAt(basis, 0, len);
    for (ShamirShare extra : shares.subList(threshold, shares.size())) {
      long[] expected = interpolateAt(basis, extra.x(), len);
      for (int c = 0; c < len; c++) {
        if (expected[c] != extra.value(c)) {
          throw new InconsistentSharesException(
              "share of party " + extra.x() + " does not lie on the polynomial of the other shares");
        }
      }
    }
    return secret;
  }

  private static long evaluate(long[] coeffs, long x) {
    long acc = 0;
    for (int k = coeffs.length - 1; k >= 0; k--) acc = PrimeField.add(PrimeField.mul(acc, x), coeffs[k]);
    return acc;
  }

  private static long[] interpolateAt(List<ShamirShare> basis, long at, int len) {
    long[] result = new long[len];
    for (int i = 0; i < basis.size(); i++) {
      long xi = basis.get(i).x();
      long num = 1;
      long den = 1;
      for (int j = 0; j < basis.size(); j++) {
        if (i == j) continue;
        long xj = basis.get(j).x();
        num = PrimeField.mul(num, PrimeField.sub(PrimeField.reduce(at), xj));
        den = PrimeField.mul(den, PrimeField.sub(xi, xj));
      }
      long lambda = PrimeField.mul(num, PrimeField.inv(den));
      for (int c = 0; c < len; c++) {
        result[c] = PrimeField.add(result[c], PrimeField.mul(lambda, basis.get(i).value(c)));
      }
    }
    return result;
  }
}
