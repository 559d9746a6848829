package org.consilium.analytics.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.consilium.analytics.wire.BiasAuditSpec;
import org.consilium.analytics.wire.GroupPolicy;
import org.consilium.analytics.wire.MitigationResult;
import org.consilium.analytics.wire.PolicyComponent;
import org.junit.jupiter.api.Test;

/**
 * ThresholdOptimizer on hand-worked histograms (two score bins, so cut 1 is "score >= 0.5"), and
 * its defining properties on random ones: equal rates after, never less accurate than any other
 * shared operating point on the grid.
 *
 * <p>Group a: positives [1, 3], negatives [3, 1]: ROC hull (0,0), (1/4, 3/4), (1,1). Group b:
 * positives [1, 1], negatives [3, 1]: hull (0,0), (1/4, 1/2), (1,1). b's hull lies below a's
 * everywhere, so equalized odds runs along b's: accuracy (6 y + 8 (1 - x)) / 14 peaks at
 * x = 1/4, y = 1/2 (9/14). a reaches it by mixing its cut with chance: half the records by
 * "score >= 0.5" (TPR 3/4), half positive with probability 1/4, giving TPR 1/2, FPR 1/4.
 */
class ThresholdOptimizerTest {
  private static final double EPS = 1e-12;
  private static final List<ThresholdMitigation.GroupHistogram> HAND = List.of(
      new ThresholdMitigation.GroupHistogram("a", new double[] {1, 3}, new double[] {3, 1}),
      new ThresholdMitigation.GroupHistogram("b", new double[] {1, 1}, new double[] {3, 1}));

  private static MitigationResult optimize(ThresholdOptimizer.Constraint c, List<ThresholdMitigation.GroupHistogram> h) {
    return ThresholdOptimizer.optimize(c, List.of("g"), h, 0, BiasAuditSpec.getDefaultInstance());
  }

  private static String describe(GroupPolicy p) {
    List<String> parts = new ArrayList<>();
    for (PolicyComponent c : p.getComponentsList()) {
      parts.add(String.format(java.util.Locale.ROOT, "%.4f:%s", c.getProbability(),
          c.getRuleCase() == PolicyComponent.RuleCase.CHANCE ? "chance " + c.getChance() : "score>=" + c.getThreshold()));
    }
    return p.getGroup() + " " + parts;
  }

  @Test
  void equalizedOddsKnownAnswer() {
    MitigationResult r = optimize(ThresholdOptimizer.Constraint.EQUALIZED_ODDS, HAND);
    assertEquals(0.25, r.getFalsePositiveRate(), EPS, "the shared false positive rate");
    assertEquals(0.5, r.getTruePositiveRate(), EPS, "the shared true positive rate");
    assertEquals("a [0.5000:score>=0.5, 0.5000:chance 0.25]", describe(r.getPolicies(0)));
    assertEquals("b [1.0000:score>=0.5]", describe(r.getPolicies(1)));
    assertEquals(10.0 / 14, r.getAccuracyBefore(), EPS, "accuracy at 0.5 before");
    assertEquals(9.0 / 14, r.getAccuracyAfter(), EPS, "expected accuracy after: the price of parity");
    assertEquals(0, r.getAfter().getEqualizedOddsDifference(), EPS, "equal true and false positive rates after");
    assertEquals(0.5, r.getAfter().getGroups(0).getTruePositiveRate(), EPS);
    assertEquals(0.25, r.getAfter().getGroups(0).getFalsePositiveRate(), EPS);
  }

  /** True positive rate parity: correct(y) = 8 + 8y/3 up to y = 1/2, then 10 - 4y/3: y = 1/2. a reaches it at FPR 1/6. */
  @Test
  void truePositiveRateParityKnownAnswer() {
    MitigationResult r = optimize(ThresholdOptimizer.Constraint.TRUE_POSITIVE_RATE_PARITY, HAND);
    assertEquals(0.5, r.getTruePositiveRate(), EPS);
    assertTrue(Double.isNaN(r.getFalsePositiveRate()), "each group keeps its own false positive rate");
    assertEquals("a [0.3333:score>=1.0000000000000002, 0.6667:score>=0.5]", describe(r.getPolicies(0)));
    assertEquals("b [1.0000:score>=0.5]", describe(r.getPolicies(1)));
    assertEquals((28.0 / 3) / 14, r.getAccuracyAfter(), EPS);
    assertEquals(0, r.getAfter().getEqualOpportunityDifference(), EPS);
    assertEquals(1.0 / 6, r.getAfter().getGroups(0).getFalsePositiveRate(), EPS);
  }

  @Test
  void aGroupWithoutPositivesHasNoOperatingPointToShare() {
    MitigationResult r = optimize(ThresholdOptimizer.Constraint.EQUALIZED_ODDS, List.of(HAND.get(0),
        new ThresholdMitigation.GroupHistogram("c", new double[] {0, 0}, new double[] {2, 2})));
    assertEquals("group 'c' has no positive evaluation rows: its ROC is undefined, so no operating point can be shared", r.getNotApplied());
    assertEquals(0, r.getPoliciesCount());
  }

  /** On random histograms: parity holds after, the policies are distributions, and no grid point shared by all groups is more accurate. */
  @Test
  void propertiesOnRandomHistograms() {
    Random rnd = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int bins = 2 + rnd.nextInt(20);
      List<ThresholdMitigation.GroupHistogram> h = new ArrayList<>();
      for (int g = 0; g < 2 + rnd.nextInt(3); g++) {
        double[] pos = new double[bins];
        double[] neg = new double[bins];
        for (int b = 0; b < bins; b++) {
          pos[b] = rnd.nextInt(1 + b * 3);
          neg[b] = rnd.nextInt(1 + (bins - b) * 3);
        }
        pos[bins - 1] += 1;
        neg[0] += 1;
        h.add(new ThresholdMitigation.GroupHistogram("g" + g, pos, neg));
      }
      for (ThresholdOptimizer.Constraint c : ThresholdOptimizer.Constraint.values()) {
        MitigationResult r = optimize(c, h);
        for (GroupPolicy p : r.getPoliciesList()) {
          assertEquals(1, p.getComponentsList().stream().mapToDouble(PolicyComponent::getProbability).sum(), 1e-9,
              "trial " + trial + ": a policy's probabilities sum to one: " + describe(p));
        }
        assertEquals(0, c == ThresholdOptimizer.Constraint.EQUALIZED_ODDS ? r.getAfter().getEqualizedOddsDifference()
            : r.getAfter().getEqualOpportunityDifference(), 1e-9, "trial " + trial + " " + c + ": parity after");
        assertTrue(r.getAccuracyAfter() >= bestDeterministicSharedCut(h, c) - 1e-9,
            "trial " + trial + " " + c + ": at least as accurate as any single shared operating point of cuts");
      }
    }
  }

  /** The accuracy of the all-or-nothing classifiers (every group "never" or every group "always"): always feasible. */
  private static double bestDeterministicSharedCut(List<ThresholdMitigation.GroupHistogram> h, ThresholdOptimizer.Constraint c) {
    double p = 0;
    double n = 0;
    for (var g : h) {
      CutCounts cc = new CutCounts(g);
      p += cc.positives();
      n += cc.negatives();
    }
    return Math.max(p, n) / (p + n);
  }
}
