package org.consilium.analytics.train;

import org.consilium.analytics.wire.TrainSpec;

/**
 * Gradient descent for logistic and linear regression as a (local step, combine step) pair.
 * The local step sums rows, loss and gradient; with clipping on (DP), each example's gradient
 * is scaled down to norm at most C and its loss capped at L, which bounds what one record can
 * change: 1 in the count, L in the loss, C (l2) in the gradient. The combine step moves
 * beta by -rate * (g / n + l2 * beta' / n), beta' without the intercept.
 */
public final class GlmGradient {
  private final TrainSpec.Model model;
  private final int width;
  private final double l2;
  private final double rate;
  private final double clipNorm;
  private final double lossClip;

  /** clipNorm and lossClip of +Infinity turn clipping off. */
  public GlmGradient(TrainSpec.Model model, int width, double l2, double rate, double clipNorm, double lossClip) {
    if (!(rate > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + rate);
    if (!(clipNorm > 0) || !(lossClip > 0)) throw new IllegalArgumentException("clipping bounds must be positive");
    this.model = model;
    this.width = width;
    this.l2 = l2;
    this.rate = rate;
    this.clipNorm = clipNorm;
    this.lossClip = lossClip;
  }

  /** [rows, loss, gradient (width)]. */
  public int stepLength() {
    return 2 + width;
  }

  public double[] localStep(FeatureSpace.Rows rows, double[] beta) {
    return localStep(rows, beta, null);
  }

  /**
   * The same with a weight per row (null: all 1): each example's gradient and loss are weighted
   * before clipping, so a record's contribution stays within C whatever its weight.
   */
  public double[] localStep(FeatureSpace.Rows rows, double[] beta, double[] weights) {
    double[] out = new double[stepLength()];
    double[] g = new double[width];
    for (int r = 0; r < rows.size(); r++) {
      double[] x = rows.x()[r];
      double y = rows.y()[r];
      double eta = Glm.eta(x, beta);
      double w = weights == null ? 1 : weights[r];
      if (w == 0) continue;
      double residual = w * (Glm.mean(model, eta) - y);
      double loss = w * Glm.loss(model, eta, y);
      double norm = 0;
      for (int j = 0; j < width; j++) {
        g[j] = residual * x[j];
        norm += g[j] * g[j];
      }
      double scale = Double.isInfinite(clipNorm) ? 1 : Math.min(1, clipNorm / Math.max(Math.sqrt(norm), 1e-300));
      out[0] += 1;
      out[1] += Math.min(loss, lossClip);
      for (int j = 0; j < width; j++) out[2 + j] += g[j] * scale;
    }
    return out;
  }

  /** One step from the aggregated (possibly noised) sums. */
  public GlmNewton.Update combine(double[] aggregated, double[] beta) {
    double n = Math.max(aggregated[0], 1);
    double[] next = new double[width];
    double maxChange = 0;
    double norm = 0;
    for (int j = 0; j < width; j++) {
      double gj = (aggregated[2 + j] + (j > 0 ? l2 * beta[j] : 0)) / n;
      next[j] = beta[j] - rate * gj;
      maxChange = Math.max(maxChange, Math.abs(rate * gj));
      norm += gj * gj;
    }
    return new GlmNewton.Update(next, aggregated[1], Math.sqrt(norm), maxChange, aggregated[0]);
  }
}
