package org.consilium.analytics.fairness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.consilium.analytics.wire.BiasAuditMetric;
import org.consilium.analytics.wire.GroupDisparity;
import org.consilium.analytics.wire.Verdict;

/**
 * Aequitas's bias audit (Saleiro et al. 2018) from the groups' confusion matrices: five group
 * metrics, each group's disparity to a reference group (its value over the reference's), and a
 * verdict per group and metric: PASS within [tolerance, 1/tolerance] (the four-fifths rule at
 * 0.8), FAIL outside, UNDETERMINED where a rate or the reference's value is undefined or zero.
 * The reference is the declared group, or the largest one (Aequitas's "majority" default).
 */
public final class BiasAudit {
  public static final double FOUR_FIFTHS = 0.8;

  private BiasAudit() {}

  /** The metrics, by Aequitas's names: value of one group given the sum of all groups' predicted positives. */
  private record Metric(String name, BiFunction<Fairness.Confusion, Double, Double> value) {}

  private static final List<Metric> METRICS = List.of(
      new Metric("fdr", (c, all) -> div(fp(c), tp(c) + fp(c))),
      new Metric("for", (c, all) -> div(fn(c), fn(c) + tn(c))),
      new Metric("ppr", (c, all) -> div(tp(c) + fp(c), all)),
      new Metric("pprev", (c, all) -> div(tp(c) + fp(c), c.n())),
      new Metric("precision", (c, all) -> div(tp(c), tp(c) + fp(c))));

  /**
   * The audit of the groups kept in a fairness report (not suppressed). referenceGroup empty
   * means the largest; tolerance 0 means the four-fifths rule. A declared reference that is not
   * kept (suppressed for its size) leaves the audit empty, saying so: the spec was checked
   * against the group labels before any budget was spent ({@link #checkSpec}).
   */
  public static org.consilium.analytics.wire.BiasAudit audit(List<Fairness.Confusion> groups, String referenceGroup, double tolerance) {
    double tau = tolerance == 0 ? FOUR_FIFTHS : tolerance;
    if (!(tau > 0 && tau <= 1)) throw new IllegalArgumentException("the bias audit's tolerance must be in (0, 1], got " + tolerance);
    Fairness.Confusion reference = reference(groups, referenceGroup);
    org.consilium.analytics.wire.BiasAudit.Builder out = org.consilium.analytics.wire.BiasAudit.newBuilder()
        .setReferenceGroup(reference == null ? referenceGroup : reference.group()).setTolerance(tau);
    if (reference == null) {
      return out.setNotApplied(groups.isEmpty() ? "every group was suppressed for its size"
          : "the reference group '" + referenceGroup + "' was suppressed for its size").build();
    }
    double predictedPositives = groups.stream().mapToDouble(c -> tp(c) + fp(c)).sum();
    for (Metric m : METRICS) {
      BiasAuditMetric.Builder metric = BiasAuditMetric.newBuilder().setMetric(m.name());
      double ref = m.value().apply(reference, predictedPositives);
      List<Verdict> verdicts = new ArrayList<>();
      for (Fairness.Confusion c : groups) {
        double v = m.value().apply(c, predictedPositives);
        double disparity = Double.isNaN(v) || Double.isNaN(ref) || ref == 0 ? Double.NaN : v / ref;
        Verdict verdict = Double.isNaN(disparity) ? Verdict.UNDETERMINED
            : disparity >= tau - 1e-12 && disparity <= 1 / tau + 1e-12 ? Verdict.PASS : Verdict.FAIL;
        verdicts.add(verdict);
        metric.addGroups(GroupDisparity.newBuilder().setGroup(c.group()).setValue(v).setDisparity(disparity).setVerdict(verdict));
      }
      metric.setVerdict(verdicts.contains(Verdict.FAIL) ? Verdict.FAIL
          : verdicts.stream().allMatch(v -> v == Verdict.PASS) ? Verdict.PASS : Verdict.UNDETERMINED);
      out.addMetrics(metric);
    }
    return out.build();
  }

  /** Checks a spec's bias audit against the group labels the job will report; throws naming what is wrong. */
  public static void checkSpec(org.consilium.analytics.wire.BiasAuditSpec spec, List<String> groupLabels) {
    if (!(spec.getTolerance() >= 0 && spec.getTolerance() <= 1)) {
      throw new IllegalArgumentException("train.bias_audit.tolerance must be in (0, 1] (0 = 0.8), got " + spec.getTolerance());
    }
    if (!spec.getReferenceGroup().isEmpty() && !groupLabels.contains(spec.getReferenceGroup())) {
      throw new IllegalArgumentException("train.bias_audit.reference_group '" + spec.getReferenceGroup() + "' is not one of the groups "
          + groupLabels);
    }
  }

  private static Fairness.Confusion reference(List<Fairness.Confusion> groups, String declared) {
    if (declared != null && !declared.isEmpty()) {
      return groups.stream().filter(c -> c.group().equals(declared)).findFirst().orElse(null);
    }
    Fairness.Confusion largest = null;
    for (Fairness.Confusion c : groups) if (largest == null || c.n() > largest.n()) largest = c;
    return largest;
  }

  private static double tp(Fairness.Confusion c) {
    return Math.max(0, c.tp());
  }

  private static double fp(Fairness.Confusion c) {
    return Math.max(0, c.fp());
  }

  private static double fn(Fairness.Confusion c) {
    return Math.max(0, c.fn());
  }

  private static double tn(Fairness.Confusion c) {
    return Math.max(0, c.tn());
  }

  private static double div(double a, double b) {
    return b > 0 ? a / b : Double.NaN;
  }
}
