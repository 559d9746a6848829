package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.data.TestTables;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.InTheClear;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.Condition;
import org.consilium.analytics.wire.EbmSpec;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.NoiseComponent;
import org.consilium.analytics.wire.Privacy;
import org.consilium.analytics.wire.ShapeFunction;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.junit.jupiter.api.Test;

/** DP-EBM: what it spends, what one record can move, the steps a node admits, and that the noisy model still learns. */
class DpEbmTest {
  private static final TrainSpec TRAIN = TrainSpec.newBuilder().setModel(TrainSpec.Model.EBM).addNumericFeatures("x").addNumericFeatures("age")
      .addCategoricalFeatures(CategoricalFeature.newBuilder().setColumn("g").addValues("0").addValues("1"))
      .setTarget("y").setPositiveAbove(0.5).setStandardize(true)
      .addEvaluationRows(Condition.newBuilder().setColumn("split").setOp(Condition.Op.EQ).setValue(1)).build();

  private static JobSpec spec(TrainSpec train, double epsilon) {
    return JobSpec.newBuilder().setSpecVersion(1).setDataset("heart").setPrivacy(Privacy.newBuilder().setEpsilon(epsilon).setDelta(1e-6))
        .setTrain(train).build();
  }

  private static EbmJob job(TrainSpec train, double epsilon) {
    return new EbmJob(train, TestDictionaries.dictionary().dataset("heart"), epsilon, 1e-6, 3);
  }

  @Test
  void atEpsilonOneItSpendsWhatItDeclaresAndStillFindsTheUShape() {
    Map<String, Dataset> sites = EbmTest.sites();
    TrainedModel m = InTheClear.run(Computation.of(spec(TRAIN, 1.0), 3, TestDictionaries.dictionary()), sites, 2,
        new SkellamNoise(DpTrainingTest.seeded(5))).getModel();
    assertTrue(m.getPrivacy().getEpsilon() <= 1.0 + 1e-9 && m.getPrivacy().getEpsilon() > 0.9, "spent " + m.getPrivacy().getEpsilon());
    List<String> names = m.getPrivacy().getComponentsList().stream().map(NoiseComponent::getName).toList();
    assertTrue(names.contains("rows per bin of every feature (x1)") && names.contains("residual sum per bin, per boosting step (x24)"),
        "8 cycles x 3 features of residual sums and the counts once: " + names);
    NoiseComponent residuals = m.getPrivacy().getComponentsList().get(names.indexOf("residual sum per bin, per boosting step (x24)"));
    assertEquals(256, residuals.getL2Sensitivity(), 1e-9, "one record moves one bin's residual sum by less than 1 (256 encoded units)");
    assertEquals(0, m.getEbm().getHoldoutLossCount(), "no held-out loss is released under DP");
    assertEquals(2, m.getEbm().getSmoothingDegree());
    double dp = new ModelScorer(m).evaluationAuc(sites.values());
    TrainedModel linear = InTheClear.run(Computation.of(spec(TRAIN.toBuilder().setModel(TrainSpec.Model.LOGISTIC).build(),
        Double.POSITIVE_INFINITY), 3, TestDictionaries.dictionary()), sites, 2, new SkellamNoise(DpTrainingTest.seeded(5))).getModel();
    double exactLinear = new ModelScorer(linear).evaluationAuc(sites.values());
    assertTrue(dp > exactLinear + 0.1, "the DP EBM's held-out AUC " + dp + " beats the exact logistic regression's " + exactLinear);
    ShapeFunction x = m.getEbm().getShapes(0);
    assertTrue(x.getScores(1) > x.getScores(8) && x.getScores(14) > x.getScores(8), "still a U shape in x: " + x.getScoresList());
    for (int k = 0; k < x.getScoresCount(); k++) {
      assertTrue(x.getStandardErrors(k) > 0 && Double.isFinite(x.getStandardErrors(k)), "bin " + k + " carries its uncertainty");
    }
    assertTrue(m.getEbm().getUncertainty().contains("DP noise"), m.getEbm().getUncertainty());
  }

  @Test
  void oneRecordMovesABoostingStepByLessThanOneAndTheCountsByOnePerFeatureWhateverTheModel() {
    EbmJob job = job(TRAIN, 1.0);
    Dataset base = EbmTest.sites().get("site-0");
    Random r = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      Dataset plus = TestTables.withRow(base, Map.of("x", trial % 2 == 0 ? 40 : -40 + r.nextDouble(), "age", 30 + 60 * r.nextDouble(),
          "g", (double) r.nextInt(2), "y", (double) r.nextInt(2), "split", 0.0));
      StepStart.Builder boost = StepStart.newBuilder().setKind(StepStart.Kind.BOOST).setFeature(trial % 3);
      for (int i = 0; i < 1 + 16 + 16 + 2; i++) boost.addBeta(20 * r.nextGaussian());
      long[] d = encodedDifference(job, boost.build(), plus, base);
      assertTrue(l1(d) <= 256, "one record moves the encoded residual sums by " + l1(d) + " in l1 (declared 256 units, rounding included)");
      StepStart counts = StepStart.newBuilder().setKind(StepStart.Kind.HISTOGRAMS).addAllBeta(boost.getBetaList()).build();
      long[] c = encodedDifference(job, counts, plus, base);
      assertEquals(3 * 256, l1(c), "one record adds one row to one bin of each of the 3 features (l2 sqrt 3)");
      assertEquals(3, java.util.Arrays.stream(c).filter(v -> v != 0).count());
    }
  }

  @Test
  void aNodeAdmitsTheCountsOnceThenCyclesTimesFeaturesStepsThenOneEvaluation() {
    StepAllowance a = job(TRAIN.toBuilder().setEbm(EbmSpec.newBuilder().setCycles(2)).build(), 1.0).allowance();
    assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.PAIRS), "no interaction ranking under DP");
    a.admit(StepStart.Kind.HISTOGRAMS);
    assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.HISTOGRAMS), "the counts once");
    for (int i = 0; i < 6; i++) a.admit(StepStart.Kind.BOOST);
    var e = assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.BOOST), "a seventh step was not paid for");
    assertTrue(e.getMessage().contains("paid for 1 bin-count release, then 6 boosting steps, then 1 evaluation round"), e.getMessage());
    a.admit(StepStart.Kind.EVALUATE);
    assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.BOOST_PAIR), "nor interactions after it");
  }

  @Test
  void interactionsUnderDpAreRefusedNamingTheField() {
    var e = assertThrows(InvalidSpecException.class, () -> Computation.of(spec(TRAIN.toBuilder()
        .setEbm(EbmSpec.newBuilder().setInteractions(1)).build(), 1.0), 3, TestDictionaries.dictionary()));
    assertTrue(e.getMessage().contains("train.ebm.interactions") && e.getMessage().contains("exact only"), e.getMessage());
  }

  @Test
  void theNoiseCoversEveryReleasedSlot() {
    EbmJob job = job(TRAIN, 1.0);
    SkellamNoise sampler = new SkellamNoise(DpTrainingTest.seeded(9));
    for (StepStart step : List.of(StepStart.newBuilder().setKind(StepStart.Kind.HISTOGRAMS).build(),
        StepStart.newBuilder().setKind(StepStart.Kind.BOOST).setFeature(2).build(),
        StepStart.newBuilder().setKind(StepStart.Kind.EVALUATE).build())) {
      boolean[] noised = new boolean[job.vectorLength(step)];
      for (int draw = 0; draw < 20; draw++) {
        long[] v = job.noiseShare(step, 2, sampler).toArray();
        assertEquals(noised.length, v.length, step.getKind() + ": noise for the whole vector");
        for (int i = 0; i < v.length; i++) noised[i] |= v[i] != 0;
      }
      for (int i = 0; i < noised.length; i++) {
        boolean released = step.getKind() != StepStart.Kind.EVALUATE || job.evaluation.componentOf(i) > 0;
        assertEquals(released, noised[i], step.getKind() + " slot " + i + (released ? " is released: it must be noised" : " stays zero"));
      }
    }
  }

  /** The change one record makes to a node's encoded vector (what enters the secure sum, before noise). */
  private static long[] encodedDifference(EbmJob job, StepStart step, Dataset plus, Dataset base) {
    long[] a = job.encode(job.local(step, plus, 0)).toArray();
    long[] b = job.encode(job.local(step, base, 0)).toArray();
    long[] d = new long[a.length];
    for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
    return d;
  }

  private static long l1(long[] v) {
    long s = 0;
    for (long x : v) s += Math.abs(x);
    return s;
  }
}
