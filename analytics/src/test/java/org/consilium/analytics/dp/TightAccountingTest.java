package org.consilium.analytics.dp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * The noise the accountant calibrates, against an independent computation: the analytic
 * Gaussian mechanism (Balle and Wang, ICML 2018, Theorem 8), which is exact for Gaussian noise.
 * A release of components with l2 sensitivities D_i and Skellam parameters mu_i (variance
 * 2 mu_i) is, in its leading term, a Gaussian mechanism of unit noise and sensitivity
 * sqrt(sum D_i^2 / (2 mu_i)); the analytic Gaussian says the smallest noise any Gaussian
 * mechanism with that sensitivity needs at (epsilon, delta). Their ratio is what the
 * accounting costs beyond the optimum: it must stay at or below 1.15.
 */
class TightAccountingTest {
  private static final NormalDistribution PHI = new NormalDistribution(0, 1);

  /** delta(epsilon) of the Gaussian mechanism with noise sigma and sensitivity 1 (exact). */
  private static double gaussianDelta(double sigma, double epsilon) {
    return PHI.cumulativeProbability(1 / (2 * sigma) - epsilon * sigma)
        - Math.exp(epsilon) * PHI.cumulativeProbability(-1 / (2 * sigma) - epsilon * sigma);
  }

  /** The smallest sigma whose Gaussian mechanism (sensitivity 1) is (epsilon, delta)-DP, by bisection. */
  static double analyticGaussianSigma(double epsilon, double delta) {
    double lo = 1e-3;
    double hi = 1e4;
    for (int i = 0; i < 200; i++) {
      double mid = Math.sqrt(lo * hi);
      if (gaussianDelta(mid, epsilon) > delta) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** The release's noise as one Gaussian of sensitivity 1: 1 / sqrt(sum D_i^2 / variance_i). */
  private static double effectiveSigma(List<NoiseComponentSpec> components, double[] mu) {
    double s = 0;
    for (int i = 0; i < mu.length; i++) s += Math.pow(components.get(i).l2Sensitivity(), 2) / (2 * mu[i]);
    return 1 / Math.sqrt(s);
  }

  private static void assertTight(String what, List<NoiseComponentSpec> components, double[] weights) {
    for (double epsilon : new double[] {0.1, 0.5, 1, 2, 5}) {
      for (double delta : new double[] {1e-5, 1e-6, 1e-9}) {
        var c = SkellamAccountant.calibrate(components, weights, epsilon, delta);
        double ratio = effectiveSigma(components, c.mu()) / analyticGaussianSigma(epsilon, delta);
        assertTrue(ratio <= 1.15, what + " at epsilon " + epsilon + ", delta " + delta + ": noise " + ratio
            + "x the analytic Gaussian's, expected at most 1.15x");
        assertTrue(ratio >= 1.0, what + ": no mechanism beats the analytic Gaussian, got " + ratio);
      }
    }
  }

  private static double[] ones(int n) {
    double[] w = new double[n];
    java.util.Arrays.fill(w, 1);
    return w;
  }

  @Test
  void aCountIsWithinFifteenPercentOfTheAnalyticGaussian() {
    // Counts are encoded with 8 fractional bits (one row = 256 units), which keeps mu large enough
    // that Skellam's discreteness costs nothing measurable.
    List<NoiseComponentSpec> count = List.of(new NoiseComponentSpec("count", 256, 256));
    assertTight("a count", count, ones(1));
  }

  @Test
  void aStatisticsReleaseIsWithinFifteenPercent() {
    // count, centred sum, centred squares (encoded units of a column on [0, 100]) and a histogram.
    List<NoiseComponentSpec> stats = List.of(new NoiseComponentSpec("count", 256, 256), new NoiseComponentSpec("sum", 3200, 3200),
        new NoiseComponentSpec("sum_of_squares", 1250, 1250), new NoiseComponentSpec("histogram", 256, 256));
    assertTight("count, sum, squares and histogram", stats, ones(4));
  }

  @Test
  void aWeightedTrainingReleaseIsWithinFifteenPercent() {
    List<NoiseComponentSpec> training = new ArrayList<>(List.of(new NoiseComponentSpec("rows", 256, 256)));
    List<Double> w = new ArrayList<>(List.of(0.1));
    for (int r = 0; r < 5; r++) {
      training.add(new NoiseComponentSpec("gradient", 256 * Math.sqrt(8), 256));
      w.add(1.0);
    }
    training.add(new NoiseComponentSpec("score histogram", 256, 256));
    w.add(1.0);
    assertTight("five gradient rounds, a count and an evaluation", training, w.stream().mapToDouble(Double::doubleValue).toArray());
  }

  @Test
  void unitCountsWouldPayForSkellamsDiscreteness() {
    // The reason counts are encoded with fractional bits: at one unit per row and epsilon 2 the
    // noise is so small (mu about 2) that the discreteness term of the bound costs about 20%.
    List<NoiseComponentSpec> unit = List.of(new NoiseComponentSpec("count", 1, 1));
    var c = SkellamAccountant.calibrate(unit, 2, 1e-5);
    assertTrue(effectiveSigma(unit, c.mu()) / analyticGaussianSigma(2, 1e-5) > 1.15);
  }

  @Test
  void theIndependentComputationMatchesKnownValues() {
    // Balle and Wang's analytic Gaussian: about 3.73 at (1, 1e-5) for sensitivity 1 (the classic bound gives 4.84).
    double sigma = analyticGaussianSigma(1, 1e-5);
    assertTrue(Math.abs(sigma - 3.73) < 0.01, "analytic Gaussian sigma at (1, 1e-5): " + sigma);
  }
}
