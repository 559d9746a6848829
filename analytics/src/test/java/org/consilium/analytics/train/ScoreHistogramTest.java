package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.consilium.analytics.wire.RocPoint;
import org.junit.jupiter.api.Test;

class ScoreHistogramTest {

  @Test
  void rocOfAHandWorkedHistogram() {
    // 4 bins; positives [0, 1, 1, 2], negatives [2, 1, 1, 0] (scores 0.0-0.25, ..., 0.75-1.0).
    double[] h = {0, 1, 1, 2, 2, 1, 1, 0};
    List<RocPoint> roc = ScoreHistogram.roc(h, 2);
    // Thresholds 1.0, 0.5, 0.0: above 0.5 are 3 of 4 positives and 1 of 4 negatives.
    assertEquals(3, roc.size(), "points: the (0,0) corner and one per chosen edge");
    assertPoint(roc.get(0), 1.0, 0.0, 0.0);
    assertPoint(roc.get(1), 0.5, 0.25, 0.75);
    assertPoint(roc.get(2), 0.0, 1.0, 1.0);
  }

  @Test
  void areaUnderTheFullResolutionCurveIsTheAuc() {
    Random rng = new Random(11);
    for (int trial = 0; trial < 50; trial++) {
      int bins = 40;
      double[] h = new double[2 * bins];
      for (int i = 0; i < h.length; i++) h[i] = rng.nextInt(6) - (rng.nextInt(10) == 0 ? 2 : 0); // some noisy negatives
      h[0] = Math.max(h[0], 1);
      h[bins] = Math.max(h[bins], 1);
      List<RocPoint> roc = ScoreHistogram.roc(h, bins);
      double area = 0;
      for (int i = 1; i < roc.size(); i++) {
        RocPoint a = roc.get(i - 1);
        RocPoint b = roc.get(i);
        area += (b.getFalsePositiveRate() - a.getFalsePositiveRate()) * (a.getTruePositiveRate() + b.getTruePositiveRate()) / 2;
      }
      assertEquals(ScoreHistogram.auc(h), area, 1e-12, "trapezoid area under the ROC (ties count half) must equal the AUC");
    }
  }

  @Test
  void refusesACurveWithoutBothClassesOrUnevenPoints() {
    assertThrows(IllegalArgumentException.class, () -> ScoreHistogram.roc(new double[] {1, 2, 0, 0}, 2));
    assertThrows(IllegalArgumentException.class, () -> ScoreHistogram.roc(new double[] {1, 2, 3, 1, 1, 1}, 2));
  }

  private static void assertPoint(RocPoint p, double threshold, double fpr, double tpr) {
    assertEquals(threshold, p.getThreshold(), 1e-12, "threshold");
    assertEquals(fpr, p.getFalsePositiveRate(), 1e-12, "false positive rate at " + threshold);
    assertEquals(tpr, p.getTruePositiveRate(), 1e-12, "true positive rate at " + threshold);
  }
}
