package org.consilium.simulations.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.HeartDisease;

/**
 * Benchmark harness (not a test) for the EBM on the four hospitals, the default job's eight
 * features and held-out quarter: the exact logistic regression, the exact EBM (main effects,
 * and with FAST interactions), and the DP EBM at several epsilons (delta 1e-6), each against
 * the exact EBM of the same split. As in {@link DpTrainingBenchmark}, every run executes the
 * job's real local steps at four in-process sites, each adding its own Skellam noise share,
 * summed in the ring (what secure aggregation reveals); the AUC reported is the model's true
 * held-out AUC computed in the clear (a harness-only reference).
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.EbmBenchmark [runs] [extra ebm fields for DP]</pre>
 */
public final class EbmBenchmark {
  private EbmBenchmark() {}

  static String spec(String model, String epsilon, String ebm) {
    return DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"model\": \"LOGISTIC\"", "\"model\": \"" + model + "\", \"ebm\": {" + ebm + "}")
        .replace("\"privacy\": {\"epsilon\": \"Infinity\"}", "\"privacy\": {\"epsilon\": " + epsilon + ", \"delta\": 1e-6}");
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String dpFields = args.length > 1 ? args[1] : "";
    Path dir = Files.createTempDirectory("consilium-ebm-bench-");
    Map<String, Dataset> sites = new LinkedHashMap<>();
    HeartDisease.extractTo(dir).forEach((id, p) -> sites.put(id, DefaultJob.load(p)));
    DataDictionary dictionary = HeartDisease.dictionary();
    SecureRandom rng = new SecureRandom();
    System.out.printf(Locale.ROOT, "JVM %s; four hospitals, default job's features, held-out quarter; %d runs per DP setting, t = 3%n",
        System.getProperty("java.version"), runs);
    double lr = auc(spec("LOGISTIC", "\"Infinity\"", ""), dictionary, sites, rng);
    double ebm = auc(spec("EBM", "\"Infinity\"", "\"cycles\": 30"), dictionary, sites, rng);
    double ga2m = auc(spec("EBM", "\"Infinity\"", "\"cycles\": 30, \"interactions\": 3"), dictionary, sites, rng);
    System.out.printf(Locale.ROOT, "exact: logistic regression %.4f, EBM %.4f, EBM + 3 interactions %.4f%n", lr, ebm, ga2m);
    System.out.println("epsilon  DP EBM true AUC: mean    min     max   | exact EBM - mean | DP logistic regression mean");
    for (double eps : new double[] {2.0, 1.0, 0.5}) {
      double[] a = new double[runs];
      double[] l = new double[runs];
      for (int r = 0; r < runs; r++) {
        a[r] = auc(spec("EBM", Double.toString(eps), dpFields), dictionary, sites, rng);
        l[r] = auc(spec("LOGISTIC", Double.toString(eps), ""), dictionary, sites, rng);
      }
      double mean = Arrays.stream(a).average().orElseThrow();
      System.out.printf(Locale.ROOT, "%-8.2f %21.4f %7.4f %7.4f | %16.4f | %.4f%n", eps, mean, Arrays.stream(a).min().orElseThrow(),
          Arrays.stream(a).max().orElseThrow(), ebm - mean, Arrays.stream(l).average().orElseThrow());
    }
  }

  private static double auc(String json, DataDictionary dictionary, Map<String, Dataset> sites, SecureRandom rng) {
    TrainedModel m = DpTrainingBenchmark.train(JobSpecs.fromJson(json), dictionary, sites, 3, rng);
    return DpTrainingBenchmark.trueAuc(m, sites);
  }
}
