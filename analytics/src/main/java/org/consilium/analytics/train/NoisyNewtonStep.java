package org.consilium.analytics.train;

/**
 * How a DP EBM moves one feature's bins from their noisy residual sums G (post-processing: no
 * budget). A Newton step with each bin's hessian bounded by rows / 4 (p(1 - p) <= 1/4: a short
 * step, never a long one) and a ridge of a few noise standard deviations, which keeps a bin with
 * few rows from following its noise: delta = -(W + ridge)^-1 G. For a numeric feature the step
 * is further fitted, by the same weighted least squares, with a polynomial of the bin centre,
 * so that neighbouring bins pool their rows against the noise: delta = -X (X'(W + ridge)X)^-1 X'G.
 * Both are one linear map P of G; its rows give each bin's noise variance.
 */
final class NoisyNewtonStep {
  private final double[][] p;

  /**
   * weights: each bin's hessian bound (noisy rows / 4, at least 0); centres: the bins' centres
   * on [-1, 1], or null for no smoothing (categorical features, or degree >= bins - 1).
   */
  NoisyNewtonStep(double[] weights, double ridge, double[] centres, int degree) {
    int k = weights.length;
    p = new double[k][k];
    if (centres == null || degree + 1 >= k) {
      for (int b = 0; b < k; b++) p[b][b] = 1 / (Math.max(weights[b], 0) + ridge);
      return;
    }
    int d = degree + 1;
    double[][] x = new double[k][d];
    for (int b = 0; b < k; b++) for (int j = 0; j < d; j++) x[b][j] = Math.pow(centres[b], j);
    double[][] a = new double[d][d];
    for (int b = 0; b < k; b++) {
      double w = Math.max(weights[b], 0) + ridge;
      for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) a[i][j] += x[b][i] * w * x[b][j];
    }
    // P = X A^-1 X': column c of A^-1 X' solves A z = X[c].
    for (int c = 0; c < k; c++) {
      double[] z = Cholesky.solve(a, x[c]);
      for (int b = 0; b < k; b++) {
        double v = 0;
        for (int j = 0; j < d; j++) v += x[b][j] * z[j];
        p[b][c] = v;
      }
    }
  }

  /** The full step for these noisy gradient sums (the caller scales it by the learning rate). */
  double[] step(double[] gradients) {
    double[] out = new double[p.length];
    for (int b = 0; b < p.length; b++) {
      double v = 0;
      for (int c = 0; c < p.length; c++) v += p[b][c] * gradients[c];
      out[b] = -v;
    }
    return out;
  }

  /** Each bin's variance of the step when the gradient sums carry independent errors of these variances. */
  double[] variance(double[] gradientVariance) {
    double[] out = new double[p.length];
    for (int b = 0; b < p.length; b++) {
      double v = 0;
      for (int c = 0; c < p.length; c++) v += p[b][c] * p[b][c] * gradientVariance[c];
      out[b] = v;
    }
    return out;
  }
}
