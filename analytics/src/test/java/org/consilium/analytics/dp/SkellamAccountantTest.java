package org.consilium.analytics.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class SkellamAccountantTest {
  /** Skellam pmf by convolving Poisson pmfs, computed in log space; support truncated at +-range. */
  private static double[] skellamPmf(double mu, int range) {
    int maxPoisson = range * 3 + (int) (mu * 4) + 50;
    double[] logPois = new double[maxPoisson + 1];
    for (int k = 0; k <= maxPoisson; k++) {
      logPois[k] = -mu + k * Math.log(mu) - org.apache.commons.math3.special.Gamma.logGamma(k + 1.0);
    }
    double[] pmf = new double[2 * range + 1];
    for (int k = -range; k <= range; k++) {
      double s = 0;
      for (int j = Math.max(0, -k); j + k <= maxPoisson && j <= maxPoisson; j++) s += Math.exp(logPois[j + k] + logPois[j]);
      pmf[k + range] = s;
    }
    return pmf;
  }

  /** Exact Renyi divergence D_a(Sk(mu) + 1 || Sk(mu)) over the truncated support. */
  private static double exactRdp(double alpha, double mu) {
    int range = 400;
    double[] p = skellamPmf(mu, range);
    double s = 0;
    for (int k = -range + 1; k <= range; k++) {
      double shifted = p[k - 1 + range];
      double base = p[k + range];
      if (shifted > 0 && base > 0) s += Math.exp(alpha * Math.log(shifted) + (1 - alpha) * Math.log(base));
    }
    return Math.log(s) / (alpha - 1);
  }

  @Test
  void theBoundIsAtLeastTheExactDivergenceForAShiftByOne() {
    for (double mu : new double[] {2, 10, 50}) {
      for (double alpha : new double[] {1.5, 2, 4, 8}) {
        double exact = exactRdp(alpha, mu);
        double bound = SkellamAccountant.rdp(alpha, mu, 1, 1);
        assertTrue(bound >= exact, "mu=" + mu + " alpha=" + alpha + ": bound " + bound + " must be >= exact " + exact);
        if (mu >= 10) assertTrue(bound <= exact * 1.6 + 1e-3, "mu=" + mu + " alpha=" + alpha + ": bound " + bound + " too loose vs " + exact);
      }
    }
  }

  @Test
  void largeMuApproachesTheGaussianWithTheSameVariance() {
    // Gaussian with variance 2 mu: RDP = alpha * D^2 / (2 * 2 mu).
    double mu = 1e6;
    assertEquals(3 * 1.0 / (4 * mu), SkellamAccountant.rdp(3, mu, 1, 1), 1e-9);
  }

  @Test
  void calibrationMeetsTheTargetAndMoreNoiseMeansLessEpsilon() {
    List<NoiseComponentSpec> comps = List.of(new NoiseComponentSpec("count", 1, 1), new NoiseComponentSpec("sum", 800, 800));
    var c1 = SkellamAccountant.calibrate(comps, 1.0, 1e-6);
    assertTrue(c1.spent().epsilon() <= 1.0 && c1.spent().epsilon() > 0.99, "spent " + c1.spent().epsilon());
    var c01 = SkellamAccountant.calibrate(comps, 0.1, 1e-6);
    assertTrue(c01.mu()[0] > c1.mu()[0] * 50, "ten times less epsilon needs about 100x the variance");
    assertEquals(c1.mu()[1] / c1.mu()[0], 800.0 * 800.0, 1e-3 * 640000, "mu scales with the squared sensitivity");
  }

  @Test
  void samplerHasTheSkellamMeanAndVariance() {
    SkellamNoise noise = new SkellamNoise(new SecureRandom());
    for (double mu : new double[] {3, 40, 5e9}) {
      int n = 20_000;
      double sum = 0;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        double x = noise.sample(mu);
        sum += x;
        sq += x * x;
      }
      double mean = sum / n;
      double var = sq / n - mean * mean;
      double sd = Math.sqrt(2 * mu);
      assertTrue(Math.abs(mean) < 5 * sd / Math.sqrt(n), "mu=" + mu + ": mean " + mean + " should be ~0");
      assertEquals(2 * mu, var, 2 * mu * 0.06, "mu=" + mu + ": variance should be 2 mu");
    }
  }
}
