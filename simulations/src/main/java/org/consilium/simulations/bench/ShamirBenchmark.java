package org.consilium.simulations.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.consilium.mpc.field.PrimeField;
import org.consilium.mpc.sharing.Shamir;
import org.consilium.mpc.sharing.ShamirShare;

/**
 * Benchmark harness (not a test) for the coordinator's unmasking: it reconstructs one secret per
 * party (a 32-byte seed is 5 field elements) from every party's share, checking the extra shares,
 * as {@code SecAggServer.closeUnmasking} does with no dropouts. {@code Shamir.reconstruct} (the
 * basis's Lagrange denominators inverted once, by Montgomery's trick, weights per point by
 * prefix and suffix products) against textbook interpolation (each point's weights with an
 * inversion per basis share: what it did before), same shares, same process.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.ShamirBenchmark [PARTIES REPEATS]</pre>
 */
public final class ShamirBenchmark {
  private ShamirBenchmark() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int t = n / 2 + 1;
    int elements = 5;
    Shamir shamir = new Shamir(t, n);
    SplittableRandom r = new SplittableRandom(3);
    List<List<ShamirShare>> secrets = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      long[] secret = new long[elements];
      for (int c = 0; c < elements; c++) secret[c] = PrimeField.reduce(r.nextLong() & Long.MAX_VALUE);
      secrets.add(shamir.split(secret, new java.util.Random(r.nextLong())));
    }
    double[] fast = new double[repeats];
    double[] textbook = new double[repeats];
    long check = 0;
    for (int k = -2; k < repeats; k++) {
      long t0 = System.nanoTime();
      for (List<ShamirShare> shares : secrets) check += shamir.reconstruct(shares)[0];
      long t1 = System.nanoTime();
      for (List<ShamirShare> shares : secrets) check -= textbook(shares, t, elements)[0];
      long t2 = System.nanoTime();
      if (k >= 0) {
        fast[k] = (t1 - t0) / 1e6;
        textbook[k] = (t2 - t1) / 1e6;
      }
    }
    if (check != 0) throw new IllegalStateException("the two reconstructions disagree");
    Arrays.sort(fast);
    Arrays.sort(textbook);
    System.out.printf(Locale.ROOT, "unmasking: %d secrets of %d elements, each from %d shares (t = %d, %d checked), Java %s%n",
        n, elements, n, t, n - t, Runtime.version());
    System.out.printf(Locale.ROOT, "  Shamir.reconstruct     min %8.1f ms  median %8.1f ms%n", fast[0], fast[repeats / 2]);
    System.out.printf(Locale.ROOT, "  textbook interpolation min %8.1f ms  median %8.1f ms%n", textbook[0], textbook[repeats / 2]);
    System.out.printf(Locale.ROOT, "  speed-up (median): %.1fx%n", textbook[repeats / 2] / fast[repeats / 2]);
  }

  /** The secret at 0 and every extra share checked, each point's Lagrange weights computed afresh (t inversions per point). */
  private static long[] textbook(List<ShamirShare> shares, int t, int len) {
    List<ShamirShare> basis = shares.subList(0, t);
    long[] secret = at(basis, 0, len);
    for (ShamirShare extra : shares.subList(t, shares.size())) {
      long[] expected = at(basis, extra.x(), len);
      long[] actual = extra.values();
      for (int c = 0; c < len; c++) if (expected[c] != actual[c]) throw new IllegalStateException("inconsistent share");
    }
    return secret;
  }

  private static long[] at(List<ShamirShare> basis, long point, int len) {
    long[] result = new long[len];
    for (int i = 0; i < basis.size(); i++) {
      long xi = basis.get(i).x();
      long num = 1;
      long den = 1;
      for (int j = 0; j < basis.size(); j++) {
        if (i == j) continue;
        long xj = basis.get(j).x();
        num = PrimeField.mul(num, PrimeField.sub(PrimeField.reduce(point), xj));
        den = PrimeField.mul(den, PrimeField.sub(xi, xj));
      }
      long lambda = PrimeField.mul(num, PrimeField.inv(den));
      long[] y = basis.get(i).values();
      for (int c = 0; c < len; c++) result[c] = PrimeField.add(result[c], PrimeField.mul(lambda, y[c]));
    }
    return result;
  }
}
