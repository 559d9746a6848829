package org.consilium.simulations.bench;

import java.util.SplittableRandom;
import org.consilium.analytics.train.FeatureSpace;

/**
 * A node's design for the local-step harnesses: n rows of an intercept and standard normal
 * features with 0/1 labels, and coefficients around zero, drawn from one fixed seed so that
 * every run and every harness sees the same numbers.
 */
record SyntheticDesign(FeatureSpace.Rows rows, double[] beta) {
  static SyntheticDesign draw(int n, int features) {
    SplittableRandom r = new SplittableRandom(1);
    double[][] x = new double[n][features + 1];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i][0] = 1;
      for (int j = 1; j <= features; j++) x[i][j] = r.nextGaussian();
      y[i] = r.nextInt(2);
    }
    double[] beta = new double[features + 1];
    for (int j = 0; j <= features; j++) beta[j] = r.nextGaussian() * 0.1;
    return new SyntheticDesign(new FeatureSpace.Rows(x, y), beta);
  }
}
