package org.consilium.analytics.dp;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.consilium.analytics.wire.Interval;

/**
 * Post-processing of noisy aggregates into honest releases, and their 95% intervals. Nothing
 * here looks at data: it sees only what is released, so it costs no budget. Counts are never
 * negative, a histogram never holds more rows than its count, probabilities stay in [0, 1] and
 * variances at or above 0; every interval comes from the known distribution of the noise
 * (Skellam with a known variance, treated as normal: at the released scales it is within a
 * fraction of a count of it).
 */
public final class Release {
  /** The two-sided 95% normal quantile. */
  public static final double Z95 = 1.959963984540054;
  private static final int DRAWS = 400;

  private Release() {}

  /** A count: rounded and never below 0. */
  public static double count(double noisy) {
    return Math.max(0, Math.rint(noisy));
  }

  /** The 95% interval of a value released with normal noise of this standard deviation, cut to [min, max]. */
  public static Interval interval(double noisy, double stddev, double min, double max) {
    double lo = Math.min(max, Math.max(min, noisy - Z95 * stddev));
    double hi = Math.max(min, Math.min(max, noisy + Z95 * stddev));
    return Interval.newBuilder().setLow(lo).setHigh(hi).build();
  }

  /** The interval of a count: around the raw noisy value, never below 0. */
  public static Interval countInterval(double noisy, double stddev) {
    return interval(noisy, stddev, 0, Double.POSITIVE_INFINITY);
  }

  /**
   * Histogram bins from noisy ones: the Euclidean projection onto {b >= 0, sum b <= cap}, so no
   * bin is negative and the bins never add up to more rows than the count they belong to;
   * with exact = true the sum is exactly cap (every row of the count falls in a bin).
   */
  public static double[] bins(double[] noisy, double cap, boolean exact) {
    double[] b = new double[noisy.length];
    double sum = 0;
    for (int i = 0; i < b.length; i++) {
      b[i] = Math.max(0, noisy[i]);
      sum += b[i];
    }
    if (exact || sum > cap) b = simplex(noisy, Math.max(cap, 0));
    return roundKeepingSum(b);
  }

  /** Euclidean projection of v onto {x >= 0, sum x = total} (Duchi et al. 2008). */
  static double[] simplex(double[] v, double total) {
    if (!(total > 0)) return new double[v.length];
    double[] u = v.clone();
    Arrays.sort(u);
    double cumulative = 0;
    double theta = u[u.length - 1] - total; // k = 1 always qualifies
    for (int i = u.length - 1, k = 1; i >= 0; i--, k++) {
      cumulative += u[i];
      double t = (cumulative - total) / k;
      if (u[i] - t > 0) theta = t;
    }
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) out[i] = Math.max(0, v[i] - theta);
    return out;
  }

  /** Whole numbers with the same (rounded) sum: largest remainders get the leftover units. */
  static double[] roundKeepingSum(double[] v) {
    double[] out = new double[v.length];
    double target = Math.rint(Arrays.stream(v).sum());
    double sum = 0;
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.floor(v[i]);
      sum += out[i];
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(v[b] - out[b], v[a] - out[a]));
    for (int k = 0; k < order.length && sum < target; k++, sum++) out[order[k]] += 1;
    return out;
  }

  /**
   * The 95% interval of a statistic of noisy aggregates, by drawing the noise again around the
   * released values (a parametric bootstrap over the known noise) and taking the 2.5% and 97.5%
   * points. Seeded from the released values, so the same release always shows the same interval.
   */
  public static Interval bootstrap(double[] released, double[] stddev, ToDoubleFunction<double[]> statistic) {
    SplittableRandom rng = new SplittableRandom(Arrays.hashCode(released));
    double[] values = new double[DRAWS];
    int n = 0;
    double[] draw = new double[released.length];
    for (int d = 0; d < DRAWS; d++) {
      for (int i = 0; i < draw.length; i++) draw[i] = released[i] + stddev[i] * gaussian(rng);
      double v = statistic.applyAsDouble(draw);
      if (!Double.isNaN(v)) values[n++] = v;
    }
    if (n < DRAWS / 2) return Interval.newBuilder().setLow(Double.NaN).setHigh(Double.NaN).build();
    double[] sorted = Arrays.copyOf(values, n);
    Arrays.sort(sorted);
    return Interval.newBuilder().setLow(sorted[(int) Math.floor(0.025 * (n - 1))]).setHigh(sorted[(int) Math.ceil(0.975 * (n - 1))]).build();
  }

  /** A standard normal draw (Box-Muller), for parametric bootstraps over the known noise. */
  public static double gaussian(SplittableRandom rng) {
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
