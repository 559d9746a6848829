package org.consilium.analytics.drift;

/**
 * The distances between two histograms over the same bins that drift is judged by. Counts,
 * not proportions, go in; negative (noisy) counts count as zero.
 */
public final class DriftMeasures {
  /** Pseudo-count added to every bin before the PSI's logarithms (an empty bin would make it infinite). */
  public static final double SMOOTHING = 0.5;

  private DriftMeasures() {}

  /**
   * Population stability index, sum over bins of (q - p) ln(q / p), p the baseline's and q the
   * current proportions after adding {@link #SMOOTHING} to every bin. 0 for equal distributions;
   * by the usual reading below 0.1 is stable, 0.1 to 0.25 a moderate and above 0.25 a major shift.
   * NaN when either histogram is empty.
   */
  public static double psi(double[] baseline, double[] current) {
    check(baseline, current);
    double[] p = proportions(baseline, SMOOTHING);
    double[] q = proportions(current, SMOOTHING);
    if (p == null || q == null) return Double.NaN;
    double sum = 0;
    for (int i = 0; i < p.length; i++) sum += (q[i] - p[i]) * Math.log(q[i] / p[i]);
    return sum;
  }

  /**
   * Jensen-Shannon distance (the square root of the divergence, logarithms base 2): symmetric,
   * in [0, 1], 0 for equal and 1 for disjoint distributions. NaN when either histogram is empty.
   */
  public static double jensenShannon(double[] baseline, double[] current) {
    check(baseline, current);
    double[] p = proportions(baseline, 0);
    double[] q = proportions(current, 0);
    if (p == null || q == null) return Double.NaN;
    double d = 0;
    for (int i = 0; i < p.length; i++) {
      double m = (p[i] + q[i]) / 2;
      if (p[i] > 0) d += 0.5 * p[i] * Math.log(p[i] / m);
      if (q[i] > 0) d += 0.5 * q[i] * Math.log(q[i] / m);
    }
    return Math.sqrt(Math.max(0, d / Math.log(2)));
  }

  /**
   * Expected calibration error over score bins: the rows' weighted mean of |observed positive
   * rate - the bin's mid score|. NaN without labelled rows.
   */
  public static double calibrationError(double[] edges, double[] positives, double[] negatives) {
    double total = 0;
    double error = 0;
    for (int b = 0; b < positives.length; b++) {
      double p = Math.max(0, positives[b]);
      double n = p + Math.max(0, negatives[b]);
      if (n <= 0) continue;
      total += n;
      error += n * Math.abs(p / n - (edges[b] + edges[b + 1]) / 2);
    }
    return total > 0 ? error / total : Double.NaN;
  }

  private static double[] proportions(double[] counts, double smoothing) {
    double total = 0;
    for (double c : counts) total += Math.max(0, c);
    if (!(total > 0)) return null;
    double[] p = new double[counts.length];
    for (int i = 0; i < p.length; i++) p[i] = (Math.max(0, counts[i]) + smoothing) / (total + smoothing * counts.length);
    return p;
  }

  private static void check(double[] a, double[] b) {
    if (a.length != b.length || a.length < 2) {
      throw new IllegalArgumentException("histograms must have the same bins (at least 2), got " + a.length + " and " + b.length);
    }
  }
}
