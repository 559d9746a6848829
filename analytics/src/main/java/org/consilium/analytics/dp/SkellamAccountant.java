package org.consilium.analytics.dp;

import java.util.List;

/**
 * Privacy accounting for the distributed Skellam mechanism.
 *
 * <p>Each released integer coordinate carries noise Sk(mu) = Poisson(mu) - Poisson(mu)
 * (variance 2 mu). Sums of independent Skellam variables are Skellam with the parameters
 * added, which is why every node can add Sk(mu / t) and the aggregate over at least t nodes
 * carries at least Sk(mu) without anyone seeing the un-noised total.
 *
 * <p>Renyi DP of one component with sensitivities (D1, D2) (Agarwal, Kairouz, Liu, "The
 * Skellam Mechanism for Differentially Private Federated Learning", NeurIPS 2021):
 * <pre>  eps(a) <= a D2^2 / (4 mu) + min( (2a D2^2 + 6 D1) / (16 mu^2), 3 D1 / (4 mu) )</pre>
 * (we use 2a where the paper has 2a - 1, which only makes the bound larger). Components
 * compose by adding their RDP curves, and (eps, delta)-DP follows from
 * eps = min over a of eps(a) + log(1/delta) / (a - 1) (Mironov 2017, Prop. 3).
 *
 * <p>Calibration gives every component mu_i = k * D2_i^2, the same share of the leading
 * Gaussian-like term, and finds the smallest k that meets the target by bisection.
 */
public final class SkellamAccountant {
  private static final double[] ORDERS = orders();

  private SkellamAccountant() {}

  private static double[] orders() {
    double[] a = new double[200];
    // Orders from 1.01 to 10001, log-spaced in (alpha - 1).
    for (int i = 0; i < a.length; i++) a[i] = 1.0 + Math.pow(10, -2 + 6.0 * i / (a.length - 1));
    return a;
  }

  /** The RDP of one component at order alpha. */
  public static double rdp(double alpha, double mu, double l1, double l2) {
    double gaussian = alpha * l2 * l2 / (4 * mu);
    double correction = Math.min((2 * alpha * l2 * l2 + 6 * l1) / (16 * mu * mu), 3 * l1 / (4 * mu));
    return gaussian + correction;
  }

  /** The (epsilon, order) achieved at delta by components with the given mu values. */
  public static Spent epsilon(List<NoiseComponentSpec> components, double[] mu, double delta) {
    double best = Double.POSITIVE_INFINITY;
    double bestOrder = Double.NaN;
    for (double alpha : ORDERS) {
      double r = 0;
      for (int i = 0; i < mu.length; i++) {
        r += rdp(alpha, mu[i], components.get(i).l1Sensitivity(), components.get(i).l2Sensitivity());
      }
      double eps = r + Math.log(1 / delta) / (alpha - 1);
      if (eps < best) {
        best = eps;
        bestOrder = alpha;
      }
    }
    return new Spent(best, bestOrder);
  }

  /** Finds per-component mu so that the whole release is (epsilon, delta)-DP. */
  public static Calibration calibrate(List<NoiseComponentSpec> components, double epsilon, double delta) {
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) throw new IllegalArgumentException("epsilon must be positive and finite: " + epsilon);
    if (!(delta > 0 && delta < 1)) throw new IllegalArgumentException("delta must be in (0,1): " + delta);
    double lo = 1e-6;
    double hi = 1e-6;
    while (epsilon(components, mus(components, hi), delta).epsilon() > epsilon) {
      hi *= 2;
      if (hi > 1e30) throw new IllegalArgumentException("epsilon " + epsilon + " is unreachable at delta " + delta);
    }
    for (int i = 0; i < 100; i++) {
      double mid = Math.sqrt(lo * hi);
      if (epsilon(components, mus(components, mid), delta).epsilon() > epsilon) lo = mid;
      else hi = mid;
    }
    double[] mu = mus(components, hi);
    return new Calibration(mu, epsilon(components, mu, delta), delta);
  }

  private static double[] mus(List<NoiseComponentSpec> components, double k) {
    double[] mu = new double[components.size()];
    for (int i = 0; i < mu.length; i++) mu[i] = k * components.get(i).l2Sensitivity() * components.get(i).l2Sensitivity();
    return mu;
  }

  /** Epsilon spent and the Renyi order at which it was reached. */
  public record Spent(double epsilon, double order) {}

  /** Mu per component (of the aggregated noise) and the privacy it achieves. */
  public record Calibration(double[] mu, Spent spent, double delta) {
    public Calibration {
      mu = mu.clone();
    }

    @Override
    public double[] mu() {
      return mu.clone();
    }
  }
}
