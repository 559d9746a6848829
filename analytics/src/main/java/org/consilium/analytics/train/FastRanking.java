package org.consilium.analytics.train;

/**
 * FAST (Lou, Caruana, Gehrke, Hooker 2013), the way InterpretML ranks candidate interactions:
 * for a pair of features, the best single cut on each axis splits the pair's grid into four
 * quadrants; fitting each quadrant by one Newton step lowers the loss's quadratic approximation
 * by sum over quadrants of G_q^2 / H_q, less the G^2 / H the intercept already captures. The
 * pair's gain is the best over all cut pairs; only the grid's gradient and hessian sums are needed,
 * which is what the PAIRS step aggregates.
 */
final class FastRanking {
  private FastRanking() {}

  /** The pair's gain from its ka x kb grids of gradient and hessian sums (row-major, a outer). */
  static double gain(double[] g, double[] h, int ka, int kb) {
    if (g.length != ka * kb || h.length != ka * kb) throw new IllegalArgumentException("a " + ka + " x " + kb + " grid, got " + g.length);
    // Prefix sums: sg[i][j] is the sum over cells a < i, b < j.
    double[][] sg = new double[ka + 1][kb + 1];
    double[][] sh = new double[ka + 1][kb + 1];
    for (int i = 0; i < ka; i++) {
      for (int j = 0; j < kb; j++) {
        sg[i + 1][j + 1] = g[i * kb + j] + sg[i][j + 1] + sg[i + 1][j] - sg[i][j];
        sh[i + 1][j + 1] = h[i * kb + j] + sh[i][j + 1] + sh[i + 1][j] - sh[i][j];
      }
    }
    double gAll = sg[ka][kb];
    double hAll = sh[ka][kb];
    double base = hAll > 0 ? gAll * gAll / hAll : 0;
    double best = 0;
    for (int ca = 1; ca < ka; ca++) {
      for (int cb = 1; cb < kb; cb++) {
        double g00 = sg[ca][cb];
        double h00 = sh[ca][cb];
        double g01 = sg[ca][kb] - g00;
        double h01 = sh[ca][kb] - h00;
        double g10 = sg[ka][cb] - g00;
        double h10 = sh[ka][cb] - h00;
        double g11 = gAll - g00 - g01 - g10;
        double h11 = hAll - h00 - h01 - h10;
        double v = term(g00, h00) + term(g01, h01) + term(g10, h10) + term(g11, h11) - base;
        if (v > best) best = v;
      }
    }
    return best;
  }

  private static double term(double g, double h) {
    return h > 1e-12 ? g * g / h : 0;
  }
}
