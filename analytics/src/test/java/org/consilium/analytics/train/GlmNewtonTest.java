package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.mpc.ring.RingVector;
import org.junit.jupiter.api.Test;

class GlmNewtonTest {
  private final Random rng = new Random(17);

  @Test
  void linearRegressionOnExactDataRecoversTheCoefficientsInOneStep() {
    double[][] x = new double[50][];
    double[] y = new double[50];
    for (int i = 0; i < 50; i++) {
      double a = rng.nextGaussian();
      double b = rng.nextGaussian();
      x[i] = new double[] {1, a, b};
      y[i] = 2 + 3 * a - 0.5 * b;
    }
    GlmNewton glm = new GlmNewton(TrainSpec.Model.LINEAR, 3, 0);
    var r = NewtonTrainer.train(glm, 3, 5, 1e-10, beta -> glm.localStep(new FeatureSpace.Rows(x, y), beta));
    assertArrayEquals(new double[] {2, 3, -0.5}, r.beta(), 1e-9);
    assertTrue(r.rounds().size() <= 2, "least squares converges in one Newton step (the second confirms)");
  }

  @Test
  void federatedSumsThroughTheRingGiveThePooledLogisticFit() {
    List<FeatureSpace.Rows> parts = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      int n = 200 + 50 * p;
      double[][] x = new double[n][];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        double a = rng.nextGaussian() + p * 0.5; // sites differ
        double b = rng.nextGaussian();
        x[i] = new double[] {1, a, b};
        y[i] = rng.nextDouble() < GlmNewton.sigmoid(-0.3 + 1.2 * a - 0.8 * b) ? 1 : 0;
      }
      parts.add(new FeatureSpace.Rows(x, y));
    }
    GlmNewton glm = new GlmNewton(TrainSpec.Model.LOGISTIC, 3, 1.0);
    var pooled = NewtonTrainer.train(glm, 3, 25, 1e-7, beta -> glm.localStep(FeatureSpace.Rows.concat(parts), beta));
    var federated = NewtonTrainer.train(glm, 3, 25, 1e-7, beta -> {
      RingVector sum = RingVector.zeros(glm.stepLength());
      for (FeatureSpace.Rows part : parts) sum = sum.plus(SumEncoding.EXACT.encode(glm.localStep(part, beta)));
      return SumEncoding.EXACT.decode(sum);
    });
    assertTrue(pooled.converged() && federated.converged());
    assertArrayEquals(pooled.beta(), federated.beta(), 1e-6, "fixed-point sums change the fit by less than 1e-6");
    assertTrue(pooled.rounds().size() < 10, "Newton converges in a handful of rounds: " + pooled.rounds().size());
  }

  @Test
  void theLocalStepTakingFourRowsAtATimeSumsWhatEachRowAddsOnItsOwn() {
    for (int trial = 0; trial < 200; trial++) {
      int width = 1 + rng.nextInt(8);
      int n = rng.nextInt(23); // every remainder mod 4, and no rows at all
      double[][] x = new double[n][width];
      double[] y = new double[n];
      double[] weights = new double[n];
      for (int i = 0; i < n; i++) {
        x[i][0] = 1;
        for (int j = 1; j < width; j++) x[i][j] = rng.nextGaussian() * 3;
        y[i] = rng.nextInt(2);
        weights[i] = rng.nextDouble() * 2;
      }
      TrainSpec.Model model = trial % 2 == 0 ? TrainSpec.Model.LOGISTIC : TrainSpec.Model.LINEAR;
      GlmNewton glm = new GlmNewton(model, width, 0.5);
      double[] beta = rng.doubles(width).map(b -> b - 0.5).toArray();
      FeatureSpace.Rows rows = new FeatureSpace.Rows(x, y);
      for (double[] w : new double[][] {null, weights}) {
        double[] expected = glm.localStepRowByRow(rows, beta, w);
        double[] actual = glm.localStep(rows, beta, w);
        for (int k = 0; k < expected.length; k++) {
          assertEquals(expected[k], actual[k], 1e-12 * Math.max(1, Math.abs(expected[k])),
              "sum " + k + " of " + model + ", " + n + " rows of width " + width + (w == null ? "" : ", weighted"));
        }
      }
    }
  }

  @Test
  void standardErrorsAreTheRootsOfTheInverseHessianDiagonal() {
    // X = [1 0; 1 1; 1 2]: X'X = [3 3; 3 5], its inverse [5 -3; -3 3] / 6, diagonal 5/6 and 1/2.
    GlmNewton glm = new GlmNewton(TrainSpec.Model.LINEAR, 2, 0);
    double[] sums = glm.localStep(new FeatureSpace.Rows(new double[][] {{1, 0}, {1, 1}, {1, 2}}, new double[] {1, 2, 4}), new double[2]);
    assertArrayEquals(new double[] {Math.sqrt(5.0 / 6), Math.sqrt(0.5)}, glm.standardErrors(sums), 1e-12);
  }

  @Test
  void collinearFeaturesWithoutRegularisationAreReportedNotSolved() {
    double[][] x = {{1, 1, 2}, {1, 2, 4}, {1, 3, 6}};
    GlmNewton glm = new GlmNewton(TrainSpec.Model.LINEAR, 3, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> glm.combine(glm.localStep(new FeatureSpace.Rows(x, new double[] {1, 2, 3}), new double[3]), new double[3]));
    assertTrue(e.getMessage().contains("not positive definite"), e.getMessage());
  }

  @Test
  void aucFromHistogramsMatchesTheExactAuc() {
    int n = 3000;
    double[] s = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextBoolean() ? 1 : 0;
      s[i] = GlmNewton.sigmoid(rng.nextGaussian() + (y[i] > 0 ? 0.8 : 0));
    }
    assertEquals(ScoreHistogram.exactAuc(s, y), ScoreHistogram.auc(ScoreHistogram.local(s, y)), 0.002);
    assertEquals(0.75, ScoreHistogram.exactAuc(new double[] {0.1, 0.4, 0.35, 0.8}, new double[] {0, 0, 1, 1}), 1e-12,
        "known answer: 3 of the 4 positive-negative pairs are ordered correctly");
    assertEquals(0.5, ScoreHistogram.exactAuc(new double[] {0.5, 0.5}, new double[] {0, 1}), 1e-12, "a tie counts one half");
  }

  @Test
  void featureSpaceOneHotEncodesAndAppliesTheMissingPolicy() {
    Map<String, double[]> cols = new LinkedHashMap<>();
    cols.put("age", new double[] {50, Double.NaN, 70, 60});
    cols.put("cp", new double[] {1, 2, 3, 9});
    cols.put("num", new double[] {0, 2, 1, 0});
    Dataset d = Dataset.ofColumns("t", cols);
    TrainSpec spec = TrainSpec.newBuilder().setModel(TrainSpec.Model.LOGISTIC).addNumericFeatures("age")
        .addCategoricalFeatures(CategoricalFeature.newBuilder().setColumn("cp").addValues("1").addValues("2").addValues("3"))
        .setTarget("num").setPositiveAbove(0).setStandardize(false).build();
    FeatureSpace f = FeatureSpace.of(spec);
    assertEquals(List.of("(intercept)", "age", "cp=2", "cp=3"), f.names());
    Standardization s = f.standardization(f.localMoments(d));
    var rows = f.rows(d, s);
    assertEquals(2, rows.size(), "the row with missing age is dropped; cp=9 is not a declared category");
    assertEquals(2, f.usableRows(d), "the cohort size counts the same rows");
    assertArrayEquals(new double[] {1, 50, 0, 0}, rows.x()[0]);
    assertArrayEquals(new double[] {1, 70, 0, 1}, rows.x()[1]);
    assertArrayEquals(new double[] {0, 1}, rows.y());
    var imputed = FeatureSpace.of(spec.toBuilder().setMissing(TrainSpec.MissingPolicy.IMPUTE_MEAN).build());
    var rows2 = imputed.rows(d, imputed.standardization(imputed.localMoments(d)));
    assertEquals(3, rows2.size());
    assertEquals(3, imputed.usableRows(d), "the cohort size counts the imputed row too");
    assertEquals(60.0, rows2.x()[1][1], 1e-12, "missing age takes the mean of 50, 70 and 60");
  }
}
