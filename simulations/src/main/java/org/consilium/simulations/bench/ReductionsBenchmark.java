package org.consilium.simulations.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.train.ModelScorer;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.HeartDisease;

/**
 * Benchmark harness (not a test) for exponentiated gradient (demographic parity, sex, tolerance
 * 0.05) on the four hospitals, exact and under DP (delta 1e-6): the default job's features,
 * each run's real local steps and noise shares summed in the ring as in {@link DpTrainingBenchmark}.
 * Figures are in the clear over every row (a harness-only reference): the selection-rate gap of
 * the unconstrained model at 0.5 and of the mixture's decisions, and the mixture's expected accuracy.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.ReductionsBenchmark [runs] [iterations]</pre>
 */
public final class ReductionsBenchmark {
  private ReductionsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dir = Files.createTempDirectory("consilium-eg-bench-");
    Map<String, Dataset> sites = new LinkedHashMap<>();
    HeartDisease.extractTo(dir).forEach((id, p) -> sites.put(id, DefaultJob.load(p)));
    DataDictionary dictionary = HeartDisease.dictionary();
    SecureRandom rng = new SecureRandom();
    System.out.printf(Locale.ROOT, "JVM %s; four hospitals, exponentiated gradient for demographic parity by sex, %d iterations, t = 3%n",
        System.getProperty("java.version"), iterations);
    System.out.println("epsilon   runs | gap before | gap after (mean, max) | accuracy before -> after");
    for (String eps : new String[] {"\"Infinity\"", "2", "1"}) {
      int n = eps.startsWith("\"") ? 1 : runs;
      double before = 0;
      double after = 0;
      double worst = 0;
      double accBefore = 0;
      double accAfter = 0;
      for (int r = 0; r < n; r++) {
        String spec = DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"THRESHOLD_DEMOGRAPHIC_PARITY\"",
                "\"EXPONENTIATED_GRADIENT_DEMOGRAPHIC_PARITY\", \"reduction\": {\"iterations\": " + iterations + "}")
            .replace("\"privacy\": {\"epsilon\": \"Infinity\"}", "\"privacy\": {\"epsilon\": " + eps + ", \"delta\": 1e-6}");
        TrainedModel m = DpTrainingBenchmark.train(JobSpecs.fromJson(spec), dictionary, sites, 3, rng);
        double[] g = measure(m, sites);
        before += g[0];
        after += g[1];
        worst = Math.max(worst, g[1]);
        accBefore += g[2];
        accAfter += g[3];
      }
      System.out.printf(Locale.ROOT, "%-9s %4d | %10.3f | %9.3f  %9.3f  | %.3f -> %.3f%n", eps.replace("\"", ""), n, before / n, after / n, worst,
          accBefore / n, accAfter / n);
    }
  }

  /** [gap before, gap after, accuracy before, expected accuracy after] over every row with a score. */
  private static double[] measure(TrainedModel m, Map<String, Dataset> sites) {
    ModelScorer scorer = new ModelScorer(m);
    double[][] sel = new double[2][2];
    double[] rows = new double[2];
    double correctBefore = 0;
    double correctAfter = 0;
    for (Dataset d : sites.values()) {
      double[] s = scorer.score(d);
      double[] p = scorer.positiveDecisionProbability(d).orElseThrow();
      for (int r = 0; r < d.rowCount(); r++) {
        if (Double.isNaN(s[r]) || Double.isNaN(p[r])) continue;
        int g = (int) d.value(r, "sex");
        boolean y = d.value(r, "num") > 0;
        double before = s[r] >= 0.5 ? 1 : 0;
        sel[g][0] += before;
        sel[g][1] += p[r];
        rows[g]++;
        correctBefore += y ? before : 1 - before;
        correctAfter += y ? p[r] : 1 - p[r];
      }
    }
    double total = rows[0] + rows[1];
    return new double[] {Math.abs(sel[0][0] / rows[0] - sel[1][0] / rows[1]), Math.abs(sel[0][1] / rows[0] - sel[1][1] / rows[1]),
        correctBefore / total, correctAfter / total};
  }
}
