package org.consilium.simulations.bench;

import java.util.Arrays;
import java.util.Locale;
import org.consilium.analytics.train.FeatureSpace;
import org.consilium.analytics.train.GlmNewton;
import org.consilium.analytics.wire.TrainSpec;

/**
 * Benchmark harness (not a test) for a node's Newton step, its hottest loop: the local sums
 * taken four rows and two Hessian rows at a time ({@code GlmNewton.localStep}, what nodes run) against their
 * definition, each row added on its own ({@code localStepRowByRow}, what nodes ran before), on
 * the same rows in this process: a node of the 20-node job, 50,000 rows and 50 features
 * (logistic model). Prints the minimum and median of the repeats and the ratio of medians. Run it
 * also with {@code -XX:TieredStopAtLevel=1}, the JIT of the test and benchmark node processes.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.NewtonStepBenchmark [ROWS FEATURES REPEATS]</pre>
 */
public final class NewtonStepBenchmark {
  private NewtonStepBenchmark() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int features = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    SyntheticDesign design = SyntheticDesign.draw(n, features);
    FeatureSpace.Rows rows = design.rows();
    double[] beta = design.beta();
    GlmNewton glm = new GlmNewton(TrainSpec.Model.LOGISTIC, features + 1, 1.0);
    double[] blocked = new double[repeats];
    double[] rowByRow = new double[repeats];
    double difference = 0;
    for (int k = -3; k < repeats; k++) { // three warm-up rounds
      long t0 = System.nanoTime();
      double[] a = glm.localStep(rows, beta, null);
      long t1 = System.nanoTime();
      double[] b = glm.localStepRowByRow(rows, beta, null);
      long t2 = System.nanoTime();
      for (int i = 0; i < a.length; i++) difference = Math.max(difference, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
      if (k >= 0) {
        blocked[k] = (t1 - t0) / 1e6;
        rowByRow[k] = (t2 - t1) / 1e6;
      }
    }
    Arrays.sort(blocked);
    Arrays.sort(rowByRow);
    System.out.printf(Locale.ROOT, "Newton local step, %d rows x %d features, Java %s%s%n", n, features, Runtime.version(),
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:TieredStopAtLevel=1") ? ", C1 only" : "");
    System.out.printf(Locale.ROOT, "  blocked (4 rows x 2) min %8.1f ms  median %8.1f ms%n", blocked[0], blocked[repeats / 2]);
    System.out.printf(Locale.ROOT, "  row by row            min %8.1f ms  median %8.1f ms%n", rowByRow[0], rowByRow[repeats / 2]);
    System.out.printf(Locale.ROOT, "  speed-up (median): %.2fx   (largest relative difference of a sum: %.1e)%n",
        rowByRow[repeats / 2] / blocked[repeats / 2], difference);
  }
}
