package org.consilium.analytics.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdMitigationTest {
  @Test
  void perGroupThresholdsEqualiseSelectionRatesAtAnAccuracyCost() {
    // Four bins [0, .25), [.25, .5), [.5, .75), [.75, 1]. Group a scores high, group b low.
    var a = new ThresholdMitigation.GroupHistogram("a", new double[] {0, 5, 20, 25}, new double[] {10, 20, 15, 5});
    var b = new ThresholdMitigation.GroupHistogram("b", new double[] {5, 10, 5, 0}, new double[] {40, 30, 10, 0});
    FairnessBefore before = new FairnessBefore();
    assertEquals(65.0 / 100, before.rateA, 1e-12);
    assertEquals(15.0 / 100, before.rateB, 1e-12);
    var r = ThresholdMitigation.demographicParity(List.of("g"), List.of(a, b), 10, org.consilium.analytics.wire.BiasAuditSpec.getDefaultInstance());
    // The overall rate at 0.5 is 80 / 200 = 0.40; a moves up to 0.75 (30/100), b down to 0.25 (55/100).
    assertEquals(0.75, r.getThresholds(0).getThreshold(), 1e-12);
    assertEquals(0.25, r.getThresholds(1).getThreshold(), 1e-12);
    assertTrue(r.getAfter().getDemographicParityDifference() < 0.65 - 0.15, "parity improves: " + r.getAfter().getDemographicParityDifference());
    // Accuracy before: a (20+25 + 10+20) + b (5+0 + 40+30) = 75 + 75 = 150 / 200.
    assertEquals(0.75, r.getAccuracyBefore(), 1e-12);
    // After: a TP 25 TN 45 = 70; b TP 15 FP 40? no: b cut at .25 -> TP 15, FP 40, FN 5, TN 40 -> 55. 125 / 200.
    assertEquals(125.0 / 200, r.getAccuracyAfter(), 1e-12);
  }

  /** Selection rates at 0.5 of the two groups above, by hand. */
  private static final class FairnessBefore {
    final double rateA = (20 + 25 + 15 + 5) / 100.0;
    final double rateB = (5 + 0 + 10 + 0) / 100.0;
  }
}
