package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.Condition;
import org.consilium.analytics.wire.EbmSpec;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.Privacy;
import org.consilium.analytics.wire.ShapeFunction;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.junit.jupiter.api.Test;

/** The federated EBM: equal to the same algorithm pooled, better than a linear model on a curved truth, centred, scorable. */
class EbmTest {
  private static final SkellamNoise NOISE = new SkellamNoise(new SecureRandom());

  private static TrainSpec.Builder base(TrainSpec.Model model) {
    return TrainSpec.newBuilder().setModel(model).addNumericFeatures("x").addNumericFeatures("age")
        .addCategoricalFeatures(CategoricalFeature.newBuilder().setColumn("g").addValues("0").addValues("1"))
        .setTarget("y").setPositiveAbove(0.5).setStandardize(true)
        .addEvaluationRows(Condition.newBuilder().setColumn("split").setOp(Condition.Op.EQ).setValue(1));
  }

  private static JobSpec spec(TrainSpec train, double epsilon) {
    return JobSpec.newBuilder().setSpecVersion(1).setDataset("heart").setPrivacy(Privacy.newBuilder().setEpsilon(epsilon)).setTrain(train).build();
  }

  private static JobSpec ebm() {
    return spec(base(TrainSpec.Model.EBM).setEbm(EbmSpec.newBuilder().setCycles(40).setLearningRate(0.2)).build(), Double.POSITIVE_INFINITY);
  }

  /** Three sites where the risk grows with |x| (a U shape no linear term can fit) and a little with age; a quarter is the test split. */
  static Map<String, Dataset> sites() {
    return sites(11, 300, (x, age, g) -> 1.5 * (Math.abs(x) - 1.8) + 0.03 * (age - 55) + 0.3 * g);
  }

  /** A record's log odds from its x (in [-4, 4]), age (30 to 80) and group g (0 or 1). */
  interface LogOdds {
    double of(double x, double age, double g);
  }

  /** Three sites of first, first + 100 and first + 200 rows labelled by these log odds; every fourth row is the test split. */
  static Map<String, Dataset> sites(long seed, int first, LogOdds risk) {
    Random r = new Random(seed);
    Map<String, Dataset> out = new LinkedHashMap<>();
    for (int s = 0; s < 3; s++) {
      int n = first + 100 * s;
      double[] x = new double[n];
      double[] age = new double[n];
      double[] g = new double[n];
      double[] y = new double[n];
      double[] split = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = -4 + 8 * r.nextDouble();
        age[i] = Math.rint(30 + 50 * r.nextDouble());
        g[i] = r.nextInt(2);
        y[i] = r.nextDouble() < Glm.sigmoid(risk.of(x[i], age[i], g[i])) ? 1 : 0;
        split[i] = i % 4 == 0 ? 1 : 0;
      }
      Map<String, double[]> cols = new LinkedHashMap<>();
      cols.put("x", x);
      cols.put("age", age);
      cols.put("g", g);
      cols.put("y", y);
      cols.put("split", split);
      out.put("site-" + s, Dataset.ofColumns("site-" + s, cols));
    }
    return out;
  }

  private static TrainedModel train(JobSpec spec, Map<String, Dataset> sites) {
    return InTheClear.run(Computation.of(spec, sites.size(), TestDictionaries.dictionary()), sites, 2, NOISE).getModel();
  }

  @Test
  void theFederatedEbmEqualsTheSameAlgorithmPooled() {
    Map<String, Dataset> sites = sites();
    TrainedModel federated = train(ebm(), sites);
    TrainedModel pooled = train(ebm(), Map.of("pooled", Dataset.concat("pooled", List.copyOf(sites.values()))));
    assertEquals(pooled.getEbm().getBestCycle(), federated.getEbm().getBestCycle(), "the same early stop");
    assertEquals(pooled.getEbm().getIntercept(), federated.getEbm().getIntercept(), 1e-6);
    for (int f = 0; f < 3; f++) {
      ShapeFunction a = federated.getEbm().getShapes(f);
      ShapeFunction b = pooled.getEbm().getShapes(f);
      assertEquals(b.getScoresCount(), a.getScoresCount());
      for (int k = 0; k < a.getScoresCount(); k++) {
        assertEquals(b.getScores(k), a.getScores(k), 1e-6, a.getFeature() + " bin " + k + ": federated equals pooled");
      }
    }
    assertEquals(pooled.getAuc(), federated.getAuc(), 1e-9);
  }

  @Test
  void itFitsACurvedRiskALinearModelCannotAndStopsOnTheHeldOutLoss() {
    Map<String, Dataset> sites = sites();
    TrainedModel m = train(ebm(), sites);
    TrainedModel linear = train(spec(base(TrainSpec.Model.LOGISTIC).build(), Double.POSITIVE_INFINITY), sites);
    assertTrue(m.getAuc() > linear.getAuc() + 0.05, "held-out AUC: EBM " + m.getAuc() + ", logistic regression " + linear.getAuc());
    ShapeFunction x = m.getEbm().getShapes(0);
    assertEquals("x", x.getFeature());
    assertEquals(17, x.getEdgesCount(), "16 equal bins over the dictionary's [-5, 5]");
    int middle = 8; // [0, 0.625)
    assertTrue(x.getScores(1) > x.getScores(middle) && x.getScores(14) > x.getScores(middle), "a U shape in x: " + x.getScoresList());
    for (ShapeFunction s : m.getEbm().getShapesList()) {
      double weighted = 0;
      for (int k = 0; k < s.getScoresCount(); k++) weighted += s.getRows(k) * s.getScores(k);
      assertEquals(0, weighted, 1e-6, s.getFeature() + " is centred on its training rows");
    }
    assertTrue(m.getEbm().getHoldoutLossCount() >= 1 && m.getEbm().getBestCycle() >= 1, "held-out losses per cycle: " + m.getEbm());
    assertEquals(List.of("0", "1"), m.getEbm().getShapes(2).getCategoriesList());
    assertEquals(3, m.getImportanceCount(), "each feature's mean absolute contribution");
    // Scoring a table gives the released AUC (the release's is from 1,000-bin histograms).
    assertEquals(m.getAuc(), new ModelScorer(m).evaluationAuc(sites.values()), 2e-3);
  }

  @Test
  void eachBinCarriesItsStandardErrorAndAPredictionsContributionsAddUpToItsLogOdds() {
    Map<String, Dataset> sites = sites();
    TrainedModel m = train(ebm(), sites);
    assertTrue(m.getEbm().getUncertainty().contains("1 / sqrt(hessian)"), m.getEbm().getUncertainty());
    for (ShapeFunction s : m.getEbm().getShapesList()) {
      assertEquals(s.getScoresCount(), s.getStandardErrorsCount(), s.getFeature());
      for (int k = 0; k < s.getScoresCount(); k++) {
        if (s.getRows(k) > 0) {
          double se = s.getStandardErrors(k);
          // A bin's Fisher information is at most rows / 4, so its standard error at least 2 / sqrt(rows).
          assertTrue(se >= 2 / Math.sqrt(s.getRows(k)) - 1e-9 && se < 10, s.getFeature() + " bin " + k + ": se " + se + " for " + s.getRows(k) + " rows");
        }
      }
    }
    Dataset table = sites.get("site-0");
    double[][] c = EbmJob.contributions(m.getEbm(), table);
    double[] scores = new ModelScorer(m).score(table);
    assertEquals(3, c.length, "one contribution per term");
    for (int r = 0; r < table.rowCount(); r += 17) {
      double f = m.getEbm().getIntercept();
      for (double[] term : c) f += term[r];
      assertEquals(scores[r], Glm.sigmoid(f), 1e-12, "row " + r + ": intercept + contributions = the score's log odds");
    }
  }
}
