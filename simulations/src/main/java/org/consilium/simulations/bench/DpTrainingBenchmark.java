package org.consilium.simulations.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.train.ModelScorer;
import org.consilium.analytics.train.StepAllowance;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.InTheClear;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.mpc.ring.RingVector;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.HeartDisease;

/**
 * Benchmark harness (not a test) for the quality of DP training on the four hospitals: the
 * 7-feature logistic regression (age, sex, cp, trestbps, thalach, exang, oldpeak; target
 * num > 0) at several epsilons, delta 1e-6, against the exact federated model of the same
 * spec. Each run executes the job's real local steps at four in-process sites, each adding its
 * own share of Skellam noise, and sums the vectors in the ring: exactly the aggregate secure
 * aggregation would reveal (masks cancel), without the network. The DP model's true AUC is
 * then measured in the clear on the same evaluation rows (a harness-only reference), beside
 * the AUC the job itself released from its noisy histograms.
 *
 * <pre>java -cp simulations/target/consilium-simulations.jar org.consilium.simulations.bench.DpTrainingBenchmark [runs] [threshold] [extra train fields]</pre>
 */
public final class DpTrainingBenchmark {
  private DpTrainingBenchmark() {}

  public static String spec(String epsilon, String extra) {
    return """
        {"specVersion": 1, "dataset": "heart-disease", "privacy": {"epsilon": %s, "delta": 1e-6},
         "train": {"model": "LOGISTIC", "numericFeatures": ["age", "sex", "cp", "trestbps", "thalach", "exang", "oldpeak"],
                   "target": "num", "positiveAbove": 0, "missing": "DROP_ROWS", "standardize": true,
                   "holdoutFraction": 0.25, "splitSeed": 7%s}}""".formatted(epsilon, extra);
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int threshold = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String extra = args.length > 2 ? ", " + args[2] : ""; // more train fields, e.g. "maxRounds": 8
    Path dir = Files.createTempDirectory("consilium-dp-bench-");
    Map<String, Dataset> sites = new LinkedHashMap<>();
    HeartDisease.extractTo(dir).forEach((id, p) -> sites.put(id, DefaultJob.load(p)));
    DataDictionary dictionary = HeartDisease.dictionary();
    System.out.printf(Locale.ROOT, "JVM %s; four hospitals, %d runs per epsilon, threshold t = %d of 4 (noise calibrated for t)%n",
        System.getProperty("java.version"), runs, threshold);
    TrainedModel exact = train(JobSpecs.fromJson(spec("\"Infinity\"", "")), dictionary, sites, threshold, new SecureRandom());
    double exactAuc = trueAuc(exact, sites);
    System.out.printf(Locale.ROOT, "exact federated model: AUC %.4f on the held-out quarter (%s)%n%n", exactAuc, exact.getEvaluation());
    System.out.println("epsilon  true AUC: mean    min     max   | mean |beta - exact| | released AUC: mean  interval covers truth  undefined");
    for (double eps : new double[] {2.0, 1.0, 0.5}) {
      double[] auc = new double[runs];
      double err = 0;
      double released = 0;
      int defined = 0;
      int covered = 0;
      for (int r = 0; r < runs; r++) {
        TrainedModel m = train(JobSpecs.fromJson(spec(Double.toString(eps), extra)), dictionary, sites, threshold, new SecureRandom());
        auc[r] = trueAuc(m, sites);
        err += coefficientError(m, exact, sites);
        if (!Double.isNaN(m.getAuc())) {
          released += m.getAuc();
          defined++;
        }
        if (m.getAucInterval().getLow() <= auc[r] && auc[r] <= m.getAucInterval().getHigh()) covered++;
      }
      System.out.printf(Locale.ROOT, "%-8.2f %14.4f %7.4f %7.4f | %19.4f | %18.4f  %12d/%d  %9d%n", eps, Arrays.stream(auc).average().orElseThrow(),
          Arrays.stream(auc).min().orElseThrow(), Arrays.stream(auc).max().orElseThrow(), err / runs, released / Math.max(1, defined), covered,
          runs, runs - defined);
    }
  }

  /** Runs a training job's steps at in-process sites, each adding its own noise share, the aggregate summed in the ring. */
  static TrainedModel train(JobSpec spec, DataDictionary dictionary, Map<String, Dataset> sites, int threshold, SecureRandom rng) {
    Computation training = Computation.of(spec, sites.size(), dictionary);
    return InTheClear.run(training, sites, threshold, new SkellamNoise(rng)).getModel();
  }

  /** The model's AUC on the evaluation rows, computed in the clear (reference only). */
  public static double trueAuc(TrainedModel model, Map<String, Dataset> sites) {
    return new ModelScorer(model).evaluationAuc(sites.values());
  }

  /** Mean absolute difference of the coefficients, both mapped to the [-1, 1] feature scale of the DP model. */
  static double coefficientError(TrainedModel dp, TrainedModel exact, Map<String, Dataset> sites) {
    double[] a = onRawScale(dp);
    double[] b = onRawScale(exact);
    double err = 0;
    for (int j = 1; j < a.length; j++) err += Math.abs(a[j] - b[j]) * dp.getScales(j - 1);
    return err / (a.length - 1);
  }

  /** Coefficients per raw unit of each feature (intercept first). */
  private static double[] onRawScale(TrainedModel m) {
    double[] beta = m.getCoefficientsList().stream().mapToDouble(c -> c.getValue()).toArray();
    boolean scaled = m.getSpec().getStandardize() || m.getBoundedScaling();
    double[] out = beta.clone();
    for (int j = 1; j < beta.length && scaled; j++) {
      out[j] = beta[j] / m.getScales(j - 1);
      out[0] -= beta[j] * m.getMeans(j - 1) / m.getScales(j - 1);
    }
    return out;
  }
}
