package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.InTheClear;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.Condition;
import org.consilium.analytics.wire.EbmSpec;
import org.consilium.analytics.wire.InteractionTerm;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.Privacy;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.junit.jupiter.api.Test;

/** FAST's ranking by hand, and a GA2M that finds the one interaction in its data, federated as pooled. */
class EbmInteractionsTest {
  @Test
  void fastGainIsTheBestFourQuadrantCutsReductionOfTheQuadraticLoss() {
    // 2 x 3 grid, unit hessians, gradients +2 0 -2 / -2 0 +2: G = 0, so nothing for the intercept; either cut on
    // the second axis leaves quadrant sums 2, -2, -2, 2 over 1 and 2 cells: 4 + 2 + 4 + 2 = 12.
    assertEquals(12, FastRanking.gain(new double[] {2, 0, -2, -2, 0, 2}, new double[] {1, 1, 1, 1, 1, 1}, 2, 3), 1e-12);
    // A constant residual is the intercept's: every cut gains 4 x 1 - 16 / 4 = 0.
    assertEquals(0, FastRanking.gain(new double[] {1, 1, 1, 1}, new double[] {1, 1, 1, 1}, 2, 2), 1e-12);
    // Unequal hessians: cells (g, h) = (3, 1) (0, 2) / (0, 2) (-1, 3): 9 + 0 + 0 + 1/3 - 4/8 = 8.8333.
    assertEquals(9 + 1.0 / 3 - 0.5, FastRanking.gain(new double[] {3, 0, 0, -1}, new double[] {1, 2, 2, 3}, 2, 2), 1e-12);
  }

  /** Three sites where the risk's sign in x flips with g (no main effect can express it), a quarter held out. */
  static Map<String, Dataset> sites() {
    return EbmTest.sites(21, 400, (x, age, g) -> 0.8 * x * (2 * g - 1) + 0.02 * (age - 55));
  }

  private static JobSpec spec(int interactions) {
    TrainSpec train = TrainSpec.newBuilder().setModel(TrainSpec.Model.EBM).addNumericFeatures("x").addNumericFeatures("age")
        .addCategoricalFeatures(CategoricalFeature.newBuilder().setColumn("g").addValues("0").addValues("1"))
        .setTarget("y").setPositiveAbove(0.5).setStandardize(true)
        .addEvaluationRows(Condition.newBuilder().setColumn("split").setOp(Condition.Op.EQ).setValue(1))
        .setEbm(EbmSpec.newBuilder().setCycles(20).setLearningRate(0.3).setInteractions(interactions)).build();
    return JobSpec.newBuilder().setSpecVersion(1).setDataset("heart").setPrivacy(Privacy.newBuilder().setEpsilon(Double.POSITIVE_INFINITY))
        .setTrain(train).build();
  }

  private static TrainedModel train(JobSpec spec, Map<String, Dataset> sites) {
    return InTheClear.run(Computation.of(spec, sites.size(), TestDictionaries.dictionary()), sites, 2, new SkellamNoise(new SecureRandom())).getModel();
  }

  @Test
  void fastChoosesThePairThatInteractsAndTheGa2mFitsWhatMainEffectsCannot() {
    Map<String, Dataset> sites = sites();
    TrainedModel mains = train(spec(0), sites);
    TrainedModel ga2m = train(spec(1), sites);
    assertEquals(1, ga2m.getEbm().getInteractionsCount());
    InteractionTerm t = ga2m.getEbm().getInteractions(0);
    assertEquals(List.of("x", "g"), List.of(t.getA().getFeature(), t.getB().getFeature()), "x and g interact; age interacts with nothing");
    assertEquals(8 * 2, t.getScoresCount(), "x on 8 coarse bins, g on its 2 values");
    assertTrue(ga2m.getAuc() > mains.getAuc() + 0.1, "held-out AUC: with the interaction " + ga2m.getAuc() + ", main effects " + mains.getAuc());
    // The sign of x's effect flips with g: low x is risky for g = 0 and safe for g = 1.
    assertTrue(t.getScores(0) > t.getScores(7 * 2) && t.getScores(1) < t.getScores(7 * 2 + 1), "cells: " + t.getScoresList());
    double weighted = 0;
    for (int k = 0; k < t.getScoresCount(); k++) weighted += t.getRows(k) * t.getScores(k);
    assertEquals(0, weighted, 1e-6, "the interaction is centred on its training rows");
    assertEquals(ga2m.getAuc(), new ModelScorer(ga2m).evaluationAuc(sites.values()), 2e-3, "scoring includes the interaction");
    assertEquals(4, EbmJob.contributions(ga2m.getEbm(), sites.get("site-0")).length, "three main effects and one interaction");
  }

  @Test
  void theFederatedGa2mEqualsTheSameAlgorithmPooled() {
    Map<String, Dataset> sites = sites();
    TrainedModel federated = train(spec(2), sites);
    TrainedModel pooled = train(spec(2), Map.of("pooled", Dataset.concat("pooled", List.copyOf(sites.values()))));
    assertEquals(pooled.getEbm().getInteractionsCount(), federated.getEbm().getInteractionsCount());
    for (int i = 0; i < federated.getEbm().getInteractionsCount(); i++) {
      InteractionTerm a = federated.getEbm().getInteractions(i);
      InteractionTerm b = pooled.getEbm().getInteractions(i);
      assertEquals(b.getA().getFeature() + b.getB().getFeature(), a.getA().getFeature() + a.getB().getFeature());
      assertEquals(b.getGain(), a.getGain(), 1e-6 * Math.max(1, b.getGain()));
      // A cell holds few rows, so the sums' 20-bit encoding error, divided by its small hessian, reaches about 1e-6.
      for (int k = 0; k < a.getScoresCount(); k++) assertEquals(b.getScores(k), a.getScores(k), 1e-5, "interaction " + i + " cell " + k);
    }
    for (int f = 0; f < 3; f++) {
      for (int k = 0; k < federated.getEbm().getShapes(f).getScoresCount(); k++) {
        assertEquals(pooled.getEbm().getShapes(f).getScores(k), federated.getEbm().getShapes(f).getScores(k), 1e-6, "feature " + f + " bin " + k);
      }
    }
    assertEquals(pooled.getEbm().getIntercept(), federated.getEbm().getIntercept(), 1e-6);
    assertEquals(pooled.getAuc(), federated.getAuc(), 1e-9);
  }
}
