package org.consilium.analytics.fairness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The exponentiated gradient's arithmetic on a hand-worked table of two groups. */
class ExponentiatedGradientTest {
  /** Cells y * 2 + g: negatives (a 20, b 15), positives (a 10, b 5); n = 50. */
  private static final double[] CELLS = {20, 15, 10, 5};

  @Test
  void theFirstBestResponseIsTheUnweightedUnconstrainedClassifier() {
    var eg = new ExponentiatedGradient(ExponentiatedGradient.Constraint.DEMOGRAPHIC_PARITY, 2, 0.05, CELLS);
    var c = eg.costs();
    assertArrayEquals(new double[] {1, 1, 1, 1}, c.weights(), 1e-12, "every row weighs the same");
    assertArrayEquals(new double[] {0, 0, 1, 1}, c.labels(), "each row keeps its own label");
    var eo = new ExponentiatedGradient(ExponentiatedGradient.Constraint.EQUALIZED_ODDS, 2, 0.05, CELLS).costs();
    assertArrayEquals(new double[] {1, 1, 1, 1}, eo.weights(), 1e-12);
    assertArrayEquals(new double[] {0, 0, 1, 1}, eo.labels());
  }

  @Test
  void demographicParityMomentsAndOneUpdateByHand() {
    var eg = new ExponentiatedGradient(ExponentiatedGradient.Constraint.DEMOGRAPHIC_PARITY, 2, 0.05, CELLS);
    // Predicted positive: group a 4 of 20 negatives and 8 of 10 positives (12 of 30), group b 1 + 1 (2 of 20); overall 14 of 50.
    double[] predicted = {4, 1, 8, 1};
    assertArrayEquals(new double[] {12.0 / 30 - 14.0 / 50, 2.0 / 20 - 14.0 / 50}, eg.gamma(predicted), 1e-15, "gamma = (0.12, -0.18)");
    eg.update(predicted);
    // eta = 2 / B = 0.1: theta = 0.1 (0.12 - 0.05, -0.18 - 0.05, -0.12 - 0.05, 0.18 - 0.05) = (0.007, -0.023, -0.017, 0.013);
    // lambda = 20 exp(theta) / (1 + sum exp(theta)).
    assertArrayEquals(new double[] {4.043856658837303, 3.924342632879053, 3.9479594683322228, 4.068192734007655}, eg.lambda(), 1e-12);
    // Cost of predicting positive, per cell: (1 - 2y) / 50 + lambda_g / n_g - (lambda_a + lambda_b) / 50, lambda_g = lambda+ - lambda-.
    // a negatives: 0.02 + 0.095897 / 30 + 0.047958 / 50 = 0.0241556; b positives: -0.02 - 0.143850 / 20 + 0.000959 = -0.0262334.
    var c = eg.costs();
    assertArrayEquals(new double[] {1.2334095374265943, 0.7029333160025163, 0.8090285602873319, 1.3395047817114099}, c.weights(), 1e-12,
        "weights |cost| scaled to add up to 50 rows");
    assertArrayEquals(new double[] {0, 0, 1, 1}, c.labels(), "the labels stay: no cost changed its sign");
    assertArrayEquals(new double[] {1}, eg.mixtureWeights(), 1e-12, "one classifier: all the weight");
    assertEquals((4 + 1 + 2 + 4) / 50.0, eg.error(predicted), 1e-15, "errors: 5 negatives taken, 2 + 4 positives missed");
  }

  @Test
  void equalizedOddsComparesEachGroupWithinItsLabel() {
    var eg = new ExponentiatedGradient(ExponentiatedGradient.Constraint.EQUALIZED_ODDS, 2, 0.05, CELLS);
    double[] predicted = {4, 1, 8, 1};
    // FPR: a 4/20, b 1/15, all negatives 5/35; TPR: a 8/10, b 1/5, all positives 9/15.
    assertArrayEquals(new double[] {4.0 / 20 - 5.0 / 35, 1.0 / 15 - 5.0 / 35, 8.0 / 10 - 9.0 / 15, 1.0 / 5 - 9.0 / 15},
        eg.gamma(predicted), 1e-15);
    eg.update(predicted);
    eg.update(new double[] {2, 2, 6, 3});
    assertEquals(2, eg.iterations());
    assertArrayEquals(new double[] {(4.0 / 20 - 5.0 / 35 + 2.0 / 20 - 4.0 / 35) / 2, (1.0 / 15 - 5.0 / 35 + 2.0 / 15 - 4.0 / 35) / 2,
        (8.0 / 10 - 9.0 / 15 + 6.0 / 10 - 9.0 / 15) / 2, (1.0 / 5 - 9.0 / 15 + 3.0 / 5 - 9.0 / 15) / 2}, eg.mixtureGamma(new double[] {0.5, 0.5}),
        1e-15, "a mixture's moments are its classifiers' weighted");
  }

  @Test
  void theMixtureProgramPicksTheLeastErrorWithinTheToleranceByHand() {
    // Two classifiers, one moment: A errs 0.1 with moment +0.3, B errs 0.3 with moment -0.1; tolerance 0.05.
    // Within +-0.05: q 0.3 - 0.1 (1 - q) <= 0.05 gives q <= 0.375; the error 0.3 - 0.2 q is least at q = 0.375 (error 0.225).
    double[] q = MixtureProgram.solve(new double[] {0.1, 0.3}, new double[][] {{0.3, -0.3}, {-0.1, 0.1}}, 0.05, 20);
    assertArrayEquals(new double[] {0.375, 0.625}, q, 1e-12);
    // No mixture meets a tolerance of 0 when both moments have the same sign: the one closest to it wins (B large).
    double[] r = MixtureProgram.solve(new double[] {0.1, 0.3}, new double[][] {{0.3, -0.3}, {0.2, -0.2}}, 1e-9, 1e6);
    assertArrayEquals(new double[] {0, 1}, r, 1e-9);
  }

  @Test
  void badTablesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ExponentiatedGradient(ExponentiatedGradient.Constraint.DEMOGRAPHIC_PARITY, 1, 0.05, new double[2]));
    assertThrows(IllegalArgumentException.class, () -> new ExponentiatedGradient(ExponentiatedGradient.Constraint.DEMOGRAPHIC_PARITY, 2, 0, CELLS));
    assertThrows(IllegalArgumentException.class, () -> new ExponentiatedGradient(ExponentiatedGradient.Constraint.DEMOGRAPHIC_PARITY, 2, 0.05, new double[3]));
  }
}
