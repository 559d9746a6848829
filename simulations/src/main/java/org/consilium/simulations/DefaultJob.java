package org.consilium.simulations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.CsvLoader;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.StatisticsComputation;
import org.consilium.analytics.stats.StatisticsQuery;
import org.consilium.analytics.wire.GroupStatistics;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.StatisticsResult;

/** The simulation's statistics job and the pooled reference it is compared with. */
public final class DefaultJob {
  private DefaultJob() {}

  /**
   * Mean age and the distribution of diagnosis (num 0-4) by sex over all four hospitals. The
   * bounds of age are the data dictionary's (none given), which fixes the sensitivity.
   */
  public static String spec(String epsilon) {
    return """
        {
          "specVersion": 1,
          "dataset": "heart-disease",
          "privacy": {"epsilon": %s, "delta": 1e-6},
          "statistics": {
            "column": "age",
            "groupBy": {"column": "sex", "values": ["0", "1"]},
            "histogram": {"column": "num", "edges": [0, 1, 2, 3, 4, 5]}
          }
        }""".formatted(epsilon);
  }

  /** Logistic regression of heart disease (num > 0) on the usual clinical features, exact (no DP). */
  public static String trainSpec(String aggregation) {
    return """
        {
          "specVersion": 1,
          "dataset": "heart-disease",
          "aggregation": "%s",
          "documentation": {
            "title": "Heart disease risk (num > 0), four-site logistic regression",
            "owners": "Consilium simulation",
            "intendedUse": "Research on federated methods; not for clinical decisions.",
            "outOfScopeUses": "Diagnosis or triage of individual patients.",
            "ethicalConsiderations": "Sex is a sensitive feature; the sites differ in their share of women."
          },
          "privacy": {"epsilon": "Infinity"},
          "train": {
            "model": "LOGISTIC",
            "numericFeatures": ["age", "trestbps", "chol", "thalach", "oldpeak"],
            "categoricalFeatures": [
              {"column": "sex", "values": ["0", "1"]},
              {"column": "cp", "values": ["1", "2", "3", "4"]},
              {"column": "exang", "values": ["0", "1"]}
            ],
            "target": "num", "positiveAbove": 0,
            "missing": "DROP_ROWS", "standardize": true, "l2": 1.0,
            "holdoutFraction": 0.25, "splitSeed": 7,
            "sensitiveFeatures": [{"column": "sex", "values": ["0", "1"]}],
            "mitigation": "THRESHOLD_DEMOGRAPHIC_PARITY"
          }
        }""".formatted(aggregation);
  }

  /**
   * DP logistic regression on seven clinical features; the numeric ones are scaled by the data
   * dictionary's public bounds, so nothing about the data is needed before training.
   */
  public static String dpTrainSpec(String epsilon, String nodesJson) {
    return """
        {
          "specVersion": 1,
          "dataset": "heart-disease",
          "nodes": %s,
          "threshold": 3,
          "privacy": {"epsilon": %s, "delta": 1e-6},
          "train": {
            "model": "LOGISTIC",
            "numericFeatures": ["age", "sex", "cp", "trestbps", "thalach", "exang", "oldpeak"],
            "target": "num", "positiveAbove": 0, "missing": "DROP_ROWS", "standardize": true,
            "holdoutFraction": 0.25, "splitSeed": 7,
            "sensitiveFeatures": [{"column": "sex", "values": ["0", "1"]}]
          }
        }""".formatted(nodesJson, epsilon);
  }

  /** The pooled reference fit: the same model and preprocessing on the concatenated files. */
  public record PooledFit(java.util.List<String> names, double[] beta, double auc) {}

  public static PooledFit pooledTraining(String specJson, Map<String, Path> csvs) {
    JobSpec spec = JobSpecs.fromJson(specJson);
    var f = org.consilium.analytics.train.FeatureSpace.of(spec.getTrain());
    List<Dataset> sites = new ArrayList<>();
    for (Path p : csvs.values()) sites.add(load(p));
    // Each site's split is by its own row numbers, as at the nodes; everything else is pooled, in the clear.
    double[] moments = null;
    for (Dataset d : sites) {
      double[] m = f.localMoments(d);
      if (moments == null) moments = m;
      else for (int i = 0; i < m.length; i++) moments[i] += m[i];
    }
    var std = f.standardization(moments);
    List<org.consilium.analytics.train.FeatureSpace.Rows> train = new ArrayList<>();
    List<org.consilium.analytics.train.FeatureSpace.Rows> eval = new ArrayList<>();
    var evalPart = spec.getTrain().getHoldoutFraction() > 0 ? org.consilium.analytics.train.FeatureSpace.Part.HOLDOUT
        : org.consilium.analytics.train.FeatureSpace.Part.ALL;
    for (Dataset d : sites) {
      train.add(f.rows(d, std, org.consilium.analytics.train.FeatureSpace.Part.TRAINING));
      eval.add(f.rows(d, std, evalPart));
    }
    var rows = org.consilium.analytics.train.FeatureSpace.Rows.concat(train);
    var evalRows = org.consilium.analytics.train.FeatureSpace.Rows.concat(eval);
    var glm = new org.consilium.analytics.train.GlmNewton(spec.getTrain().getModel(), f.width(), spec.getTrain().getL2());
    var fit = org.consilium.analytics.train.NewtonTrainer.train(glm, f.width(), 25, 1e-6, b -> glm.localStep(rows, b));
    double[] scores = new double[evalRows.size()];
    for (int i = 0; i < scores.length; i++) scores[i] = glm.predict(evalRows.x()[i], fit.beta());
    return new PooledFit(f.names(), fit.beta(), org.consilium.analytics.train.ScoreHistogram.exactAuc(scores, evalRows.y()));
  }

  /**
   * The fairness report computed in the clear: the released model applied to every site's
   * held-out rows, confusion matrices per sex at threshold 0.5, the same metric code.
   */
  public static org.consilium.analytics.wire.FairnessReport pooledFairness(String specJson, Map<String, Path> csvs,
      org.consilium.analytics.wire.TrainedModel model) {
    JobSpec spec = JobSpecs.fromJson(specJson);
    PooledScores s = pooledScores(spec, csvs, model);
    List<org.consilium.analytics.fairness.Fairness.Confusion> groups = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      double tp = 0;
      double fp = 0;
      double fn = 0;
      double tn = 0;
      for (int i = 0; i < s.scores().size(); i++) {
        if (s.groups().get(i) != g) continue;
        boolean predicted = s.scores().get(i) >= 0.5;
        boolean actual = s.actual().get(i);
        if (predicted && actual) tp++;
        else if (predicted) fp++;
        else if (actual) fn++;
        else tn++;
      }
      groups.add(new org.consilium.analytics.fairness.Fairness.Confusion(SEXES.get(g), tp, fp, fn, tn));
    }
    return org.consilium.analytics.fairness.Fairness.report(List.of("sex"), groups, 10, spec.getTrain().getBiasAudit());
  }

  /**
   * The mitigation computed in the clear: per-sex score histograms (the evaluation's 20 bins) of
   * the released model on every site's held-out rows, then the same post-processing code.
   */
  public static org.consilium.analytics.wire.MitigationResult pooledMitigation(String specJson, Map<String, Path> csvs,
      org.consilium.analytics.wire.TrainedModel model) {
    JobSpec spec = JobSpecs.fromJson(specJson);
    PooledScores s = pooledScores(spec, csvs, model);
    int bins = 20;
    List<org.consilium.analytics.fairness.ThresholdMitigation.GroupHistogram> hists = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      double[] pos = new double[bins];
      double[] neg = new double[bins];
      for (int i = 0; i < s.scores().size(); i++) {
        if (s.groups().get(i) != g) continue;
        int b = Math.min(bins - 1, (int) Math.floor(s.scores().get(i) * bins));
        if (s.actual().get(i)) pos[b]++;
        else neg[b]++;
      }
      hists.add(new org.consilium.analytics.fairness.ThresholdMitigation.GroupHistogram(SEXES.get(g), pos, neg));
    }
    var t = spec.getTrain();
    return org.consilium.analytics.fairness.ThresholdMitigation.mitigate(t.getMitigation(), List.of("sex"), hists, 10, t.getBiasAudit());
  }

  private static final List<String> SEXES = List.of("sex=female", "sex=male");

  /** Every held-out row of every site: its score under the released model, its sex code and its label. */
  private record PooledScores(List<Double> scores, List<Integer> groups, List<Boolean> actual) {}

  private static PooledScores pooledScores(JobSpec spec, Map<String, Path> csvs, org.consilium.analytics.wire.TrainedModel model) {
    var f = org.consilium.analytics.train.FeatureSpace.of(spec.getTrain());
    var std = new org.consilium.analytics.train.Standardization(model.getMeansList().stream().mapToDouble(Double::doubleValue).toArray(),
        model.getScalesList().stream().mapToDouble(Double::doubleValue).toArray(), spec.getTrain().getStandardize());
    double[] beta = model.getCoefficientsList().stream().mapToDouble(c -> c.getValue()).toArray();
    var glm = new org.consilium.analytics.train.GlmNewton(spec.getTrain().getModel(), f.width(), 0);
    PooledScores out = new PooledScores(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (Path p : csvs.values()) {
      Dataset d = load(p);
      var rows = f.rows(d, std, org.consilium.analytics.train.FeatureSpace.Part.HOLDOUT);
      int sex = d.requireColumn("sex");
      for (int i = 0; i < rows.size(); i++) {
        out.scores().add(glm.predict(rows.x()[i], beta));
        out.groups().add((int) d.value(rows.rowIndex()[i], sex));
        out.actual().add(rows.y()[i] > 0.5);
      }
    }
    return out;
  }

  /** The statistics query of a four-hospital statistics spec. */
  public static StatisticsQuery query(JobSpec spec) {
    return ((StatisticsComputation) Computation.of(spec, 4, HeartDisease.dictionary())).query();
  }

  /** The same statistics computed in the clear on the concatenated files (reference only). */
  public static StatisticsResult pooledExact(String specJson, Map<String, Path> csvs) {
    JobSpec spec = JobSpecs.fromJson(specJson);
    StatisticsQuery q = query(spec.toBuilder().setPrivacy(spec.getPrivacy().toBuilder().setEpsilon(Double.POSITIVE_INFINITY)).build());
    List<Dataset> parts = new ArrayList<>();
    for (Path p : csvs.values()) parts.add(load(p));
    return q.exact(Dataset.concat("pooled", parts));
  }

  public static Dataset load(Path csv) {
    try (java.io.InputStream r = Files.newInputStream(csv)) {
      return new CsvLoader(BadRowPolicy.SKIP, 10_000_000).load(csv.getFileName().toString(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A side-by-side table of the released values and the exact pooled ones. */
  public static String table(JobResult released, StatisticsResult exact) {
    StringBuilder sb = new StringBuilder();
    var acc = released.getAccounting();
    sb.append(String.format(Locale.ROOT, "Released with %s: epsilon %.3f, delta %.0e; contributors %s%s%n", acc.getMechanism(),
        acc.getEpsilon(), acc.getDelta(), acc.getContributorsList(),
        acc.getDroppedCount() == 0 ? "" : ", dropped " + acc.getDroppedList()));
    sb.append(String.format(Locale.ROOT, "%-8s %-30s %-34s %s%n", "sex", "count [95% interval] | exact",
        "mean age [95% interval] | exact", "diagnosis num=0..4 (DP | exact)"));
    StatisticsResult dp = released.getStatistics();
    for (int g = 0; g < dp.getGroupsCount(); g++) {
      GroupStatistics d = dp.getGroups(g);
      GroupStatistics e = exact.getGroups(g);
      sb.append(String.format(Locale.ROOT, "%-8s %-30s %-34s %s | %s%n", d.getLabel(),
          String.format(Locale.ROOT, "%.0f [%.0f, %.0f] | %.0f", d.getCount(), d.getCountInterval().getLow(),
              d.getCountInterval().getHigh(), e.getCount()),
          String.format(Locale.ROOT, "%.2f [%.2f, %.2f] | %.2f", d.getMean(), d.getMeanInterval().getLow(),
              d.getMeanInterval().getHigh(), e.getMean()),
          d.getHistogramList().stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList(),
          e.getHistogramList().stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList()));
    }
    acc.getComponentsList().forEach(c -> sb.append(String.format(Locale.ROOT, "  noise on %-15s stddev %.3g (in data units)%n",
        c.getName(), c.getStddev())));
    return sb.toString();
  }
}
