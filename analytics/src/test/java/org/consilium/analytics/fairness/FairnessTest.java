package org.consilium.analytics.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.consilium.analytics.wire.FairnessReport;
import org.consilium.analytics.wire.GroupMetrics;
import org.junit.jupiter.api.Test;

/**
 * Known answers, worked by hand from the definitions.
 * Group a: TP 30, FP 10, FN 10, TN 50 (n 100). Group b: TP 10, FP 10, FN 20, TN 60 (n 100).
 * Overall: TP 40, FP 20, FN 30, TN 110 (n 200).
 */
class FairnessTest {
  private static final List<Fairness.Confusion> GROUPS = List.of(
      new Fairness.Confusion("a", 30, 10, 10, 50), new Fairness.Confusion("b", 10, 10, 20, 60));

  @Test
  void groupMetricsFollowTheDefinitions() {
    GroupMetrics a = Fairness.metrics(GROUPS.get(0));
    assertEquals(100, a.getCount());
    assertEquals(0.40, a.getSelectionRate(), 1e-12, "(30+10)/100");
    assertEquals(0.75, a.getTruePositiveRate(), 1e-12, "30/40");
    assertEquals(1.0 / 6, a.getFalsePositiveRate(), 1e-12, "10/60");
    assertEquals(0.25, a.getFalseNegativeRate(), 1e-12);
    assertEquals(5.0 / 6, a.getTrueNegativeRate(), 1e-12);
    assertEquals(0.75, a.getPrecision(), 1e-12, "30/40");
    assertEquals(0.80, a.getAccuracy(), 1e-12, "80/100");
  }

  @Test
  void disparityMetricsBetweenGroupsAndToOverall() {
    FairnessReport r = Fairness.report(List.of("sex"), GROUPS, 10);
    // selection rates: a 0.40, b 0.20, overall 0.30
    assertEquals(0.20, r.getDemographicParityDifference(), 1e-12);
    assertEquals(0.10, r.getDemographicParityDifferenceToOverall(), 1e-12);
    assertEquals(0.50, r.getDemographicParityRatio(), 1e-12);
    assertEquals(2.0 / 3, r.getDemographicParityRatioToOverall(), 1e-12, "min(0.2/0.3, 0.3/0.4)");
    // TPR: a 0.75, b 1/3, overall 4/7; FPR: a 1/6, b 1/7, overall 2/13
    assertEquals(0.75 - 1.0 / 3, r.getEqualOpportunityDifference(), 1e-12);
    assertEquals(Math.max(0.75 - 1.0 / 3, 1.0 / 6 - 1.0 / 7), r.getEqualizedOddsDifference(), 1e-12);
    assertEquals(Math.min((1.0 / 3) / 0.75, (1.0 / 7) / (1.0 / 6)), r.getEqualizedOddsRatio(), 1e-12);
    assertEquals(Math.max(Math.abs(0.75 - 4.0 / 7), Math.abs(1.0 / 3 - 4.0 / 7)), r.getEqualOpportunityDifferenceToOverall(), 1e-12);
    assertEquals(0.75, r.getOverall().getAccuracy(), 1e-12, "(40+110)/200");
  }

  @Test
  void smallGroupsAreSuppressedWithTheReasonAndLeftOutOfDisparities() {
    FairnessReport r = Fairness.report(List.of("sex"), List.of(GROUPS.get(0), GROUPS.get(1), new Fairness.Confusion("c", 1, 0, 0, 2)), 10);
    GroupMetrics c = r.getGroups(2);
    assertTrue(c.getSuppressed());
    assertTrue(c.getSuppressionReason().contains("fewer than 10"), c.getSuppressionReason());
    assertEquals(0, c.getCount(), "nothing about a suppressed group is reported");
    assertEquals(0.20, r.getDemographicParityDifference(), 1e-12, "c does not enter the disparities");
  }
}
