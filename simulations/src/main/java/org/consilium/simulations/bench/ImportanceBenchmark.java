package org.consilium.simulations.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.consilium.analytics.train.FeatureSpace;
import org.consilium.analytics.train.PermutationImportance;
import org.consilium.analytics.wire.TrainSpec;

/**
 * Benchmark harness (not a test) for a node's importance step: the incremental update
 * ({@code PermutationImportance.local}, what nodes run) against its definition, every permuted
 * predictor recomputed ({@code byRecomputation}, what nodes ran before), on the same rows in this
 * process: a node of the 20-node job, 50,000 rows and 50 features (logistic model).
 * Prints the minimum and median of the repeats and the ratio of medians.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.ImportanceBenchmark [ROWS FEATURES REPEATS]</pre>
 */
public final class ImportanceBenchmark {
  private ImportanceBenchmark() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int features = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    SyntheticDesign design = SyntheticDesign.draw(n, features);
    double[] beta = design.beta();
    double[] means = new double[features + 1];
    List<int[]> blocks = new ArrayList<>();
    for (int j = 1; j <= features; j++) blocks.add(new int[] {j});
    FeatureSpace.Rows rows = design.rows();
    double[] incremental = new double[repeats];
    double[] recomputed = new double[repeats];
    double check = 0;
    for (int k = -2; k < repeats; k++) { // two warm-up rounds
      long t0 = System.nanoTime();
      check += PermutationImportance.local(TrainSpec.Model.LOGISTIC, 42, blocks, rows, beta, means)[2];
      long t1 = System.nanoTime();
      check -= PermutationImportance.byRecomputation(TrainSpec.Model.LOGISTIC, 42, blocks, rows, beta, means)[2];
      long t2 = System.nanoTime();
      if (k >= 0) {
        incremental[k] = (t1 - t0) / 1e6;
        recomputed[k] = (t2 - t1) / 1e6;
      }
    }
    Arrays.sort(incremental);
    Arrays.sort(recomputed);
    System.out.printf(Locale.ROOT, "importance step, %d rows x %d features, Java %s%n", n, features, Runtime.version());
    System.out.printf(Locale.ROOT, "  incremental   min %8.1f ms  median %8.1f ms%n", incremental[0], incremental[repeats / 2]);
    System.out.printf(Locale.ROOT, "  recomputation min %8.1f ms  median %8.1f ms%n", recomputed[0], recomputed[repeats / 2]);
    System.out.printf(Locale.ROOT, "  speed-up (median): %.1fx   (difference of the first loss sums: %.2e)%n",
        recomputed[repeats / 2] / incremental[repeats / 2], Math.abs(check));
  }
}
