package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.InTheClear;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.MitigationResult;
import org.consilium.analytics.wire.Privacy;
import org.consilium.analytics.wire.ReductionSpec;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.junit.jupiter.api.Test;

/** Exponentiated gradient over federated weighted logistic regressions: the same as pooled, and fairer than unconstrained. */
class ReductionsTest {
  private static final SkellamNoise NOISE = new SkellamNoise(new SecureRandom());

  static JobSpec spec(TrainSpec.Mitigation mitigation, double epsilon) {
    TrainSpec train = TrainSpec.newBuilder().setModel(TrainSpec.Model.LOGISTIC).addNumericFeatures("x").setTarget("y").setPositiveAbove(0.5)
        .setStandardize(true).addSensitiveFeatures(CategoricalFeature.newBuilder().setColumn("g").addValues("0").addValues("1"))
        .setMitigation(mitigation).setReduction(ReductionSpec.newBuilder().setTolerance(0.05).setIterations(8)).build();
    return JobSpec.newBuilder().setSpecVersion(1).setDataset("heart").setPrivacy(Privacy.newBuilder().setEpsilon(epsilon).setDelta(1e-6)).setTrain(train).build();
  }

  /** Sites where group 1 has larger x, and the label follows x: an unconstrained model selects group 1 far more often. */
  static Map<String, Dataset> sites() {
    Random r = new Random(5);
    Map<String, Dataset> out = new LinkedHashMap<>();
    for (int s = 0; s < 3; s++) {
      int n = 200 + 50 * s;
      double[] x = new double[n];
      double[] y = new double[n];
      double[] g = new double[n];
      for (int i = 0; i < n; i++) {
        g[i] = r.nextDouble() < 0.4 ? 1 : 0;
        x[i] = r.nextGaussian() + 1.2 * g[i];
        y[i] = r.nextDouble() < GlmNewton.sigmoid(1.5 * x[i] - 0.8) ? 1 : 0;
      }
      Map<String, double[]> cols = new LinkedHashMap<>();
      cols.put("x", x);
      cols.put("y", y);
      cols.put("g", g);
      out.put("site-" + s, Dataset.ofColumns("site-" + s, cols));
    }
    return out;
  }

  private static TrainedModel train(JobSpec spec, Map<String, Dataset> sites) {
    return InTheClear.run(Computation.of(spec, sites.size(), TestDictionaries.dictionary()), sites, 2, NOISE).getModel();
  }

  @Test
  void theFederatedMixtureEqualsTheSameAlgorithmPooledAndIsFairerThanTheUnconstrainedModel() {
    Map<String, Dataset> sites = sites();
    JobSpec spec = spec(TrainSpec.Mitigation.EXPONENTIATED_GRADIENT_DEMOGRAPHIC_PARITY, Double.POSITIVE_INFINITY);
    TrainedModel federated = train(spec, sites);
    TrainedModel pooled = train(spec, Map.of("pooled", Dataset.concat("pooled", List.copyOf(sites.values()))));
    MitigationResult f = federated.getMitigation();
    MitigationResult p = pooled.getMitigation();
    assertTrue(f.getMixtureCount() >= 1 && f.getMixtureCount() <= 8, "the components with weight among eight classifiers: " + f.getMixtureCount());
    assertEquals(p.getMixtureCount(), f.getMixtureCount());
    assertEquals(1, f.getMixtureList().stream().mapToDouble(c -> c.getProbability()).sum(), 1e-9, "the weights add up to 1");
    for (int c = 0; c < f.getMixtureCount(); c++) {
      assertEquals(p.getMixture(c).getProbability(), f.getMixture(c).getProbability(), 1e-6, "component " + c + "'s weight");
      for (int j = 0; j < 2; j++) {
        assertEquals(p.getMixture(c).getCoefficients(j), f.getMixture(c).getCoefficients(j), 1e-6,
            "component " + c + ", coefficient " + j + ": federated equals pooled");
      }
    }
    // The secure sum's fixed point moves the weights by about 1e-9, and the figures after with them.
    assertEquals(p.getAfter().getDemographicParityDifference(), f.getAfter().getDemographicParityDifference(), 1e-6);
    assertEquals(p.getAccuracyAfter(), f.getAccuracyAfter(), 1e-6);
    assertEquals(p.getTrainingViolation(), f.getTrainingViolation(), 1e-6);

    double before = federated.getFairness().getDemographicParityDifference();
    double after = f.getAfter().getDemographicParityDifference();
    assertTrue(before > 0.3, "the unconstrained model selects the groups very differently: " + before);
    assertTrue(after < before / 2, "the mixture halves the selection-rate gap at least: " + before + " -> " + after);
    assertTrue(f.getAccuracyAfter() <= f.getAccuracyBefore() + 1e-9, "fairness costs accuracy here: " + f.getAccuracyBefore() + " -> "
        + f.getAccuracyAfter());
    assertTrue(f.getMethod().contains("demographic parity") && f.getMethod().contains("drawn with its probability"), f.getMethod());
  }

  @Test
  void aScoredMixtureGivesEachRowItsProbabilityOfAPositiveDecision() {
    Map<String, Dataset> sites = sites();
    TrainedModel m = train(spec(TrainSpec.Mitigation.EXPONENTIATED_GRADIENT_DEMOGRAPHIC_PARITY, Double.POSITIVE_INFINITY), sites);
    Dataset d = sites.get("site-0");
    double[] p = new ModelScorer(m).positiveDecisionProbability(d).orElseThrow();
    var mit = m.getMitigation();
    Standardization std = new Standardization(m.getMeansList().stream().mapToDouble(Double::doubleValue).toArray(),
        m.getScalesList().stream().mapToDouble(Double::doubleValue).toArray(), true);
    for (int r = 0; r < 5; r++) {
      double x = std.apply(0, d.value(r, "x"));
      double expected = 0;
      for (var c : mit.getMixtureList()) if (c.getCoefficients(0) + c.getCoefficients(1) * x >= 0) expected += c.getProbability();
      assertEquals(expected, p[r], 1e-12, "row " + r + ": the components deciding positive, by their probabilities");
    }
    assertTrue(new ModelScorer(train(spec(TrainSpec.Mitigation.NO_MITIGATION, Double.POSITIVE_INFINITY), sites))
        .positiveDecisionProbability(d).isEmpty(), "a model without a mixture has no decision probability");
  }

  @Test
  void equalizedOddsNarrowsTheRateGapsToo() {
    TrainedModel m = train(spec(TrainSpec.Mitigation.EXPONENTIATED_GRADIENT_EQUALIZED_ODDS, Double.POSITIVE_INFINITY), sites());
    double before = m.getFairness().getEqualizedOddsDifference();
    double after = m.getMitigation().getAfter().getEqualizedOddsDifference();
    assertTrue(after < before, "equalized odds difference " + before + " -> " + after);
  }
}
