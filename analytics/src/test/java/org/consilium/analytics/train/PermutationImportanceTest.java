package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.consilium.analytics.wire.TrainSpec;
import org.junit.jupiter.api.Test;

/** The incremental importance step gives the numbers of its definition (every predictor recomputed). */
class PermutationImportanceTest {
  @Test
  void theIncrementalUpdateEqualsRecomputationOverRandomDesigns() {
    SplittableRandom r = new SplittableRandom(7);
    for (TrainSpec.Model model : List.of(TrainSpec.Model.LOGISTIC, TrainSpec.Model.LINEAR)) {
      for (int trial = 0; trial < 20; trial++) {
        int n = 1 + r.nextInt(300);
        int d = 2 + r.nextInt(12);
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
          x[i][0] = 1; // intercept column, in no block
          for (int j = 1; j < d; j++) x[i][j] = r.nextGaussian() * (1 + j);
          y[i] = model == TrainSpec.Model.LOGISTIC ? r.nextInt(2) : r.nextGaussian();
        }
        double[] beta = new double[d];
        double[] means = new double[d];
        for (int j = 0; j < d; j++) {
          beta[j] = r.nextGaussian();
          means[j] = r.nextGaussian();
        }
        // Blocks of one or two columns (a categorical feature has several design columns).
        List<int[]> blocks = new java.util.ArrayList<>();
        for (int j = 1; j < d; j += 2) blocks.add(j + 1 < d ? new int[] {j, j + 1} : new int[] {j});
        FeatureSpace.Rows rows = new FeatureSpace.Rows(x, y);
        long seed = r.nextLong();
        double[] fast = PermutationImportance.local(model, seed, blocks, rows, beta, means);
        double[] slow = PermutationImportance.byRecomputation(model, seed, blocks, rows, beta, means);
        assertEquals(slow.length, fast.length);
        for (int k = 0; k < slow.length; k++) {
          assertEquals(slow[k], fast[k], 1e-9 * Math.max(1, Math.abs(slow[k])), model + " trial " + trial + " entry " + k);
        }
      }
    }
  }

  @Test
  void aHandWorkedCase() {
    // Two rows, one feature: permuting swaps them; linear model, beta = (0, 2), means = (0, 1).
    FeatureSpace.Rows rows = new FeatureSpace.Rows(new double[][] {{1, 0}, {1, 1}}, new double[] {0, 2});
    double[] beta = {0, 2};
    double[] seen = PermutationImportance.local(TrainSpec.Model.LINEAR, 1, List.of(new int[] {1}), rows, beta, new double[] {0, 1});
    double[] permutedLoss = {0.5 * 2 * 2 + 0.5 * 2 * 2, 0}; // if swapped: predictions 2 and 0 against 0 and 2
    assertEquals(2, seen[0], "rows");
    assertEquals(0, seen[1], 1e-12, "the model fits both rows exactly");
    // The permutation of two rows is either the identity (loss 0) or the swap (loss 4): both are the definition's.
    double definition = PermutationImportance.byRecomputation(TrainSpec.Model.LINEAR, 1, List.of(new int[] {1}), rows, beta,
        new double[] {0, 1})[2];
    assertEquals(definition, seen[2], 1e-12);
    assertEquals(true, seen[2] == permutedLoss[0] || seen[2] == permutedLoss[1], "loss " + seen[2] + " is 4 (swapped) or 0");
    assertArrayEquals(new double[] {2.0 + 0.0}, new double[] {seen[3]}, 1e-12, "sum of |2 (x - 1)| over x = 0, 1");
  }
}
