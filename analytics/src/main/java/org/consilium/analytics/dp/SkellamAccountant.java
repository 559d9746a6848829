package org.consilium.analytics.dp;

import java.util.Arrays;
import java.util.List;
import org.consilium.analytics.stats.InvalidSpecException;

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
 * compose by adding their RDP curves, and (eps, delta)-DP follows from the conversion of
 * Canonne, Kamath and Steinke ("The Discrete Gaussian for Differential Privacy", NeurIPS 2020,
 * Prop. 12; also Asoodeh et al. 2021):
 * <pre>  eps = min over a of eps(a) + log((a - 1) / a) - (log(delta) + log(a)) / (a - 1)</pre>
 * which is never worse than Mironov's eps(a) + log(1/delta) / (a - 1) and takes the noise to
 * within 1.05-1.11x of the analytic Gaussian mechanism (Balle and Wang 2018) for the same
 * release (the test computes that ratio independently).
 *
 * <p>Calibration gives component i mu_i = k * D2_i^2 / w_i for declared weights w_i (by default
 * 1: every component the same share of the Gaussian-like term; a training job gives the
 * gradient rounds the larger share), and finds the smallest k that meets the target by bisection.
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
      double eps = r + Math.log((alpha - 1) / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
      if (eps < best) {
        best = eps;
        bestOrder = alpha;
      }
    }
    return new Spent(best, bestOrder);
  }

  /** Finds per-component mu so that the whole release is (epsilon, delta)-DP. */
  public static Calibration calibrate(List<NoiseComponentSpec> components, double epsilon, double delta) {
    double[] w = new double[components.size()];
    java.util.Arrays.fill(w, 1.0);
    return calibrate(components, w, epsilon, delta);
  }

  /** The same with a weight per component: a component of weight w gets w times the others' share of the budget. */
  public static Calibration calibrate(List<NoiseComponentSpec> components, double[] weights, double epsilon, double delta) {
    if (weights.length != components.size()) throw new IllegalArgumentException(weights.length + " weights for " + components.size() + " components");
    for (double w : weights) if (!(w > 0) || Double.isInfinite(w)) throw new IllegalArgumentException("weights must be positive: " + w);
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) throw new InvalidSpecException("privacy.epsilon", "must be positive and finite, got " + epsilon);
    if (!(delta > 0 && delta < 1)) throw new InvalidSpecException("privacy.delta", "must be in (0, 1), got " + delta);
    double lo = 1e-6;
    double hi = 1e-6;
    while (epsilon(components, mus(components, weights, hi), delta).epsilon() > epsilon) {
      hi *= 2;
      if (hi > 1e30) throw tooSmall(epsilon, delta, Double.NaN);
    }
    for (int i = 0; i < 100; i++) {
      double mid = Math.sqrt(lo * hi);
      if (epsilon(components, mus(components, weights, mid), delta).epsilon() > epsilon) lo = mid;
      else hi = mid;
    }
    double[] mu = mus(components, weights, hi);
    double largest = Arrays.stream(mu).max().orElse(0);
    // Each node draws Sk(mu / t) with t >= 2; keep every draw inside the sampler's exact range.
    if (largest / 2 > SkellamNoise.MAX_MU) throw tooSmall(epsilon, delta, epsilon * Math.sqrt(largest / 2 / SkellamNoise.MAX_MU));
    return new Calibration(mu, epsilon(components, mu, delta), delta);
  }

  private static InvalidSpecException tooSmall(double epsilon, double delta, double smallest) {
    return new InvalidSpecException("privacy.epsilon", epsilon + " at delta " + delta + " needs more noise than the nodes can "
        + "draw exactly" + (Double.isNaN(smallest) ? "" : "; the smallest epsilon this job can use is about " + String.format("%.3g", smallest)));
  }

  private static double[] mus(List<NoiseComponentSpec> components, double[] weights, double k) {
    double[] mu = new double[components.size()];
    for (int i = 0; i < mu.length; i++) mu[i] = k * components.get(i).l2Sensitivity() * components.get(i).l2Sensitivity() / weights[i];
    return mu;
  }

  /**
   * Encoded units per counted row. Counts carry 8 fractional bits so that their noise parameter
   * is large: at one unit per row a count's mu at epsilon 2 is about 2, where Skellam's
   * discreteness term costs some 20% more noise; at 256 units it costs nothing measurable.
   */
  public static final int COUNT_UNIT = 256;
  public static final int COUNT_BITS = 8;

  /** How (epsilon, delta) follows from the Renyi curve, as the accounting states it. */
  public static final String CONVERSION = "Renyi DP of the Skellam mechanism (Agarwal, Kairouz, Liu 2021), composed over "
      + "components and rounds, converted with Canonne-Kamath-Steinke 2020 Prop. 12";

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
