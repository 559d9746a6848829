package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The DP EBM's step: ridged Newton per bin, or its weighted polynomial fit; known answers. */
class NoisyNewtonStepTest {
  @Test
  void withoutSmoothingEachBinTakesItsRidgedNewtonStep() {
    NoisyNewtonStep s = new NoisyNewtonStep(new double[] {10, 0, 30}, 2, null, 2);
    assertArrayEquals(new double[] {-6.0 / 12, 4.0 / 2, -0.0 / 32}, s.step(new double[] {6, -4, 0}), 1e-12);
    assertArrayEquals(new double[] {9.0 / 144, 1.0 / 4, 4.0 / 1024}, s.variance(new double[] {9, 1, 4}), 1e-12,
        "variance through the map: v / (w + ridge)^2");
  }

  @Test
  void aStepThatIsAlreadyAPolynomialOfTheDegreeIsKeptExactly() {
    double[] centres = {-0.75, -0.25, 0.25, 0.75};
    double[] w = {5, 20, 40, 10};
    double ridge = 1;
    // Gradient sums whose per-bin Newton step is 0.3 - 0.8 c + 0.5 c^2: G_b = -(w_b + ridge) x step_b.
    double[] g = new double[4];
    double[] want = new double[4];
    for (int b = 0; b < 4; b++) {
      want[b] = 0.3 - 0.8 * centres[b] + 0.5 * centres[b] * centres[b];
      g[b] = -(w[b] + ridge) * want[b];
    }
    assertArrayEquals(want, new NoisyNewtonStep(w, ridge, centres, 2).step(g), 1e-12);
    // A linear fit of the same is its weighted least-squares line: between the bins' own steps, never beyond them.
    double[] line = new NoisyNewtonStep(w, ridge, centres, 1).step(g);
    assertTrue(line[0] > line[3], "the line falls as the quadratic mostly does: " + java.util.Arrays.toString(line));
  }

  @Test
  void smoothingPoolsTheNoiseOfNeighbouringBins() {
    double[] centres = {-0.875, -0.625, -0.375, -0.125, 0.125, 0.375, 0.625, 0.875};
    double[] w = new double[8];
    java.util.Arrays.fill(w, 25);
    double[] noise = new double[8];
    java.util.Arrays.fill(noise, 100);
    double[] raw = new NoisyNewtonStep(w, 0, null, 2).variance(noise);
    double[] smooth = new NoisyNewtonStep(w, 0, centres, 2).variance(noise);
    double total = 0;
    for (int b = 0; b < 8; b++) {
      assertEquals(100.0 / 625, raw[b], 1e-12);
      total += smooth[b];
    }
    // A projection onto 3 of 8 dimensions keeps 3/8 of iid noise's total variance.
    assertEquals(3.0 / 8 * 8 * 100.0 / 625, total, 1e-9);
  }
}
