package org.consilium.analytics.train;

import java.util.List;
import java.util.SplittableRandom;
import org.consilium.analytics.wire.TrainSpec;

/**
 * The local step of the importance round (exact training only): [rows, loss, loss with feature
 * f permuted (per feature), sum over rows of |SHAP_f|]. The permutation is a node-local shuffle
 * of the feature's design columns among the node's evaluation rows, seeded from split_seed and
 * the feature; SHAP values are those of the linear predictor, beta times the deviation from the
 * aggregated column means.
 */
final class PermutationImportance {
  private PermutationImportance() {}

  static double[] local(TrainSpec.Model model, long seed, List<int[]> blocks, FeatureSpace.Rows rows, double[] beta, double[] columnMeans) {
    int f = blocks.size();
    double[] out = new double[2 + 2 * f];
    int n = rows.size();
    out[0] = n;
    for (int i = 0; i < n; i++) out[1] += Glm.loss(model, Glm.eta(rows.x()[i], beta), rows.y()[i]);
    for (int b = 0; b < f; b++) {
      int[] perm = permutation(n, seed * 31 + b);
      for (int i = 0; i < n; i++) {
        double[] x = rows.x()[i].clone();
        for (int c : blocks.get(b)) x[c] = rows.x()[perm[i]][c];
        out[2 + b] += Glm.loss(model, Glm.eta(x, beta), rows.y()[i]);
        double shap = 0;
        for (int c : blocks.get(b)) shap += beta[c] * (rows.x()[i][c] - columnMeans[c]);
        out[2 + f + b] += Math.abs(shap);
      }
    }
    return out;
  }

  private static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
