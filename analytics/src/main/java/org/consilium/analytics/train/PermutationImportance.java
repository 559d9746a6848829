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
 *
 * <p>A permuted feature changes the linear predictor only in its own columns, so each row's
 * permuted predictor is its predictor plus beta times the change in those columns: O(rows x
 * block) per feature instead of O(rows x columns). {@link #byRecomputation} is the definition
 * (every predictor recomputed from a permuted copy of the row), kept for the tests that hold the
 * update to it and for the benchmark that measures the difference.
 */
public final class PermutationImportance {
  private PermutationImportance() {}

  public static double[] local(TrainSpec.Model model, long seed, List<int[]> blocks, FeatureSpace.Rows rows, double[] beta,
      double[] columnMeans) {
    int f = blocks.size();
    double[] out = new double[2 + 2 * f];
    int n = rows.size();
    double[][] x = rows.x();
    double[] eta = new double[n];
    out[0] = n;
    for (int i = 0; i < n; i++) {
      eta[i] = Glm.eta(x[i], beta);
      out[1] += Glm.loss(model, eta[i], rows.y()[i]);
    }
    for (int b = 0; b < f; b++) {
      int[] perm = permutation(n, seed * 31 + b);
      int[] block = blocks.get(b);
      // The block's columns, contiguous: the permuted reads then stay in a small array, not all over the rows.
      double[][] columns = new double[block.length][n];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < block.length; k++) columns[k][i] = x[i][block[k]];
      }
      double lossSum = 0;
      double shapSum = 0;
      for (int i = 0; i < n; i++) {
        double permuted = eta[i];
        double shap = 0;
        for (int k = 0; k < block.length; k++) {
          int c = block[k];
          double own = columns[k][i];
          permuted += beta[c] * (columns[k][perm[i]] - own);
          shap += beta[c] * (own - columnMeans[c]);
        }
        lossSum += Glm.loss(model, permuted, rows.y()[i]);
        shapSum += Math.abs(shap);
      }
      out[2 + b] = lossSum;
      out[2 + f + b] = shapSum;
    }
    return out;
  }

  /** The same numbers by the definition: each permuted row copied and its predictor recomputed. */
  public static double[] byRecomputation(TrainSpec.Model model, long seed, List<int[]> blocks, FeatureSpace.Rows rows, double[] beta,
      double[] columnMeans) {
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
