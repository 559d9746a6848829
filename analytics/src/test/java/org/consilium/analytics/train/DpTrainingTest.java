package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.junit.jupiter.api.Test;

class DpTrainingTest {
  private static final TrainSpec SPEC = TrainSpec.newBuilder().setModel(TrainSpec.Model.LOGISTIC)
      .addNumericFeatures("a").addNumericFeatures("b").setTarget("y").setPositiveAbove(0.5).setStandardize(false).build();

  @Test
  void gradientDescentWithoutClippingReachesTheNewtonSolution() {
    Random rng = new Random(4);
    double[][] x = new double[400][];
    double[] y = new double[400];
    for (int i = 0; i < 400; i++) {
      double a = rng.nextGaussian();
      double b = rng.nextGaussian();
      x[i] = new double[] {1, a, b};
      y[i] = rng.nextDouble() < GlmNewton.sigmoid(0.5 + a - b) ? 1 : 0;
    }
    FeatureSpace.Rows rows = new FeatureSpace.Rows(x, y);
    GlmNewton newton = new GlmNewton(TrainSpec.Model.LOGISTIC, 3, 1.0);
    var exact = NewtonTrainer.train(newton, 3, 25, 1e-10, b -> newton.localStep(rows, b));
    GlmGradient gd = new GlmGradient(TrainSpec.Model.LOGISTIC, 3, 1.0, 2.0, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    double[] beta = new double[3];
    for (int r = 0; r < 3000; r++) beta = gd.combine(gd.localStep(rows, beta), beta).beta();
    assertArrayEquals(exact.beta(), beta, 1e-6, "both minimise the same penalised loss");
  }

  @Test
  void clippingBoundsEachExamplesGradient() {
    GlmGradient gd = new GlmGradient(TrainSpec.Model.LINEAR, 2, 0, 1, 1.0, 5.0);
    double[] sums = gd.localStep(new FeatureSpace.Rows(new double[][] {{1, 100}}, new double[] {-50}), new double[] {0, 0});
    assertEquals(1, sums[0]);
    assertEquals(5.0, sums[1], 1e-12, "the loss 1250 is capped at 5");
    assertEquals(1.0, Math.hypot(sums[2], sums[3]), 1e-12, "the gradient (50, 5000) is scaled to norm 1");
  }

  @Test
  void theWholeJobMeetsItsEpsilonAndMoreRoundsNeedMoreNoise() {
    TrainingJob twenty = new TrainingJob(SPEC.toBuilder().setMaxRounds(20).build(), 1.0, 1e-6);
    var acc = twenty.accounting(3, List.of("a", "b", "c"), List.of());
    assertTrue(acc.getEpsilon() <= 1.0 && acc.getEpsilon() > 0.95, "epsilon spent " + acc.getEpsilon());
    TrainingJob forty = new TrainingJob(SPEC.toBuilder().setMaxRounds(40).build(), 1.0, 1e-6);
    double mu20 = twenty.accounting(3, List.of("a", "b", "c"), List.of()).getComponents(0).getMu();
    double mu40 = forty.accounting(3, List.of("a", "b", "c"), List.of()).getComponents(0).getMu();
    assertTrue(mu40 > 1.5 * mu20, "twice the rounds at the same epsilon need about twice the variance: " + mu20 + " -> " + mu40);
    SkellamNoise sampler = new SkellamNoise(new SecureRandom());
    long[] share = twenty.noiseShare(StepStart.Kind.GRADIENT, 3, sampler).toArray();
    assertEquals(2 + 3, share.length);
    assertTrue(java.util.Arrays.stream(share).anyMatch(v -> v != 0), "a DP step carries noise");
    TrainingJob withGroups = new TrainingJob(SPEC.toBuilder().addSensitiveFeatures(org.consilium.analytics.wire.CategoricalFeature
        .newBuilder().setColumn("g").addValues("0").addValues("1")).build(), 1.0, 1e-6);
    for (StepStart.Kind kind : List.of(StepStart.Kind.GRADIENT, StepStart.Kind.EVALUATE)) {
      assertEquals(withGroups.vectorLength(kind), withGroups.noiseShare(kind, 3, sampler).length(), "noise covers the whole " + kind + " vector");
    }
  }

  @Test
  void twoSensitiveFeaturesGiveIntersectionalGroups() {
    TrainSpec spec = SPEC.toBuilder().setStandardize(true)
        .addSensitiveFeatures(org.consilium.analytics.wire.CategoricalFeature.newBuilder().setColumn("s").addValues("0").addValues("1"))
        .addSensitiveFeatures(org.consilium.analytics.wire.CategoricalFeature.newBuilder().setColumn("r").addValues("1").addValues("2"))
        .build();
    TrainingJob job = new TrainingJob(spec, Double.POSITIVE_INFINITY, 1e-6);
    var rows = new java.util.LinkedHashMap<String, double[]>();
    rows.put("a", new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8});
    rows.put("b", new double[] {1, 0, 1, 0, 1, 0, 1, 0});
    rows.put("y", new double[] {1, 0, 1, 0, 0, 1, 1, 0});
    rows.put("s", new double[] {0, 0, 1, 1, 0, 0, 1, 1});
    rows.put("r", new double[] {1, 2, 1, 2, 1, 2, 1, 2});
    var data = org.consilium.analytics.data.Dataset.ofColumns("t", rows);
    var driver = job.driver();
    org.consilium.analytics.wire.TrainedModel model = null;
    while (model == null) {
      var step = driver.current().toBuilder().addAllParticipants(List.of("x")).build();
      model = driver.onAggregate(job.local(step, data), List.of("x"));
    }
    assertEquals(List.of("s=0 & r=1", "s=0 & r=2", "s=1 & r=1", "s=1 & r=2"),
        model.getFairness().getGroupsList().stream().map(g -> g.getGroup()).toList());
    assertTrue(model.getFairness().getGroupsList().stream().allMatch(g -> g.getSuppressed()), "two rows per group are below the minimum of 10");
  }

  @Test
  void dpTrainingRefusesWhatItCannotProtect() {
    assertEquals("train.standardize", assertThrows(InvalidSpecException.class,
        () -> new TrainingJob(SPEC.toBuilder().setStandardize(true).build(), 1.0, 1e-6)).field());
    assertEquals("train.missing", assertThrows(InvalidSpecException.class,
        () -> new TrainingJob(SPEC.toBuilder().setMissing(TrainSpec.MissingPolicy.IMPUTE_MEAN).build(), 1.0, 1e-6)).field());
    assertEquals("train.optimizer", assertThrows(InvalidSpecException.class,
        () -> new TrainingJob(SPEC.toBuilder().setOptimizer(TrainSpec.Optimizer.NEWTON).build(), 1.0, 1e-6)).field());
  }
}
