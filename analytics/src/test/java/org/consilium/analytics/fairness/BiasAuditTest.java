package org.consilium.analytics.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.consilium.analytics.wire.BiasAudit;
import org.consilium.analytics.wire.BiasAuditMetric;
import org.consilium.analytics.wire.BiasAuditSpec;
import org.consilium.analytics.wire.Verdict;
import org.junit.jupiter.api.Test;

/**
 * Aequitas's group metrics and disparities, worked by hand. Group a: TP 3, FP 1, FN 1, TN 3
 * (8 rows); group b: TP 1, FP 1, FN 1, TN 3 (6 rows); 6 predicted positives in all.
 * fdr a 1/4, b 1/2; for a 1/4, b 1/4; ppr a 4/6, b 2/6; pprev a 1/2, b 1/3; precision a 3/4, b 1/2.
 */
class BiasAuditTest {
  private static final List<Fairness.Confusion> GROUPS = List.of(new Fairness.Confusion("a", 3, 1, 1, 3),
      new Fairness.Confusion("b", 1, 1, 1, 3));

  private static BiasAuditMetric metric(BiasAudit a, String name) {
    return a.getMetricsList().stream().filter(m -> m.getMetric().equals(name)).findFirst().orElseThrow();
  }

  private static String verdicts(BiasAudit a) {
    StringBuilder s = new StringBuilder();
    for (BiasAuditMetric m : a.getMetricsList()) {
      s.append(m.getMetric()).append('=').append(m.getVerdict()).append(String.format(java.util.Locale.ROOT, "(%.4f) ", m.getGroups(1).getDisparity()));
    }
    return s.toString().trim();
  }

  @Test
  void theLargestGroupIsTheReferenceAndTheFourFifthsRuleDecides() {
    BiasAudit a = org.consilium.analytics.fairness.BiasAudit.audit(GROUPS, "", 0);
    assertEquals("a", a.getReferenceGroup(), "the largest group by default");
    assertEquals(0.8, a.getTolerance(), 0);
    assertEquals(0.5, metric(a, "fdr").getGroups(1).getValue(), 1e-12);
    assertEquals(4.0 / 6, metric(a, "ppr").getGroups(0).getValue(), 1e-12);
    assertEquals(1.0, metric(a, "fdr").getGroups(0).getDisparity(), 1e-12, "the reference against itself");
    assertEquals("fdr=FAIL(2.0000) for=PASS(1.0000) ppr=FAIL(0.5000) pprev=FAIL(0.6667) precision=FAIL(0.6667)", verdicts(a));
  }

  @Test
  void aWiderToleranceAndAnotherReferenceChangeTheVerdicts() {
    BiasAudit wide = org.consilium.analytics.fairness.BiasAudit.audit(GROUPS, "", 0.5);
    assertEquals("fdr=PASS(2.0000) for=PASS(1.0000) ppr=PASS(0.5000) pprev=PASS(0.6667) precision=PASS(0.6667)", verdicts(wide),
        "within [0.5, 2] inclusive");
    BiasAudit byB = org.consilium.analytics.fairness.BiasAudit.audit(GROUPS, "b", 0);
    assertEquals("b", byB.getReferenceGroup());
    assertEquals(0.5, metric(byB, "fdr").getGroups(0).getDisparity(), 1e-12, "a's fdr over b's");
  }

  @Test
  void undefinedRatesAreUndeterminedNotFailed() {
    List<Fairness.Confusion> groups = List.of(new Fairness.Confusion("a", 3, 1, 1, 3), new Fairness.Confusion("c", 0, 0, 2, 2));
    BiasAudit a = org.consilium.analytics.fairness.BiasAudit.audit(groups, "", 0);
    assertEquals(Verdict.UNDETERMINED, metric(a, "precision").getGroups(1).getVerdict(), "c predicts no positive: precision is 0/0");
    assertEquals(Verdict.UNDETERMINED, metric(a, "precision").getVerdict());
    assertTrue(Double.isNaN(metric(a, "fdr").getGroups(1).getDisparity()));
    assertEquals(Verdict.FAIL, metric(a, "pprev").getVerdict(), "c's predicted prevalence 0 against 1/2 fails");
  }

  @Test
  void theSpecIsCheckedAgainstTheGroupsBeforeTheJobRuns() {
    var e = assertThrows(IllegalArgumentException.class, () -> org.consilium.analytics.fairness.BiasAudit.checkSpec(
        BiasAuditSpec.newBuilder().setReferenceGroup("sex=other").build(), List.of("sex=female", "sex=male")));
    assertEquals("train.bias_audit.reference_group 'sex=other' is not one of the groups [sex=female, sex=male]", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> org.consilium.analytics.fairness.BiasAudit.checkSpec(
        BiasAuditSpec.newBuilder().setTolerance(1.5).build(), List.of("sex=female")));
    BiasAudit suppressed = org.consilium.analytics.fairness.BiasAudit.audit(GROUPS.subList(0, 1), "b", 0);
    assertEquals("the reference group 'b' was suppressed for its size", suppressed.getNotApplied());
  }
}
