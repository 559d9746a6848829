package org.consilium.analytics.fairness;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.wire.BiasAuditSpec;
import org.consilium.analytics.wire.FairnessReport;
import org.consilium.analytics.wire.GroupMetrics;

/**
 * Group metrics and Fairlearn's disparity metrics from confusion matrices (one per group: true
 * positives, false positives, false negatives, true negatives). Definitions follow Fairlearn:
 * selection rate (TP+FP)/n; demographic parity difference = max - min of the selection rates
 * between groups, or the largest |rate - overall rate| to overall; ratio = min / max between
 * groups, or the smallest min(rate/overall, overall/rate) to overall; equalized odds takes the
 * larger difference (smaller ratio) of the true and false positive rates; equal opportunity is
 * the true positive rate difference. Groups with fewer rows than the minimum are suppressed,
 * with the reason, and take no part in the disparities. Undefined rates (0/0) are NaN.
 */
public final class Fairness {
  private Fairness() {}

  /** A group's confusion matrix. Counts may be noisy (DP); negative ones are read as zero. */
  public record Confusion(String group, double tp, double fp, double fn, double tn) {
    double n() {
      return Math.max(0, tp) + Math.max(0, fp) + Math.max(0, fn) + Math.max(0, tn);
    }

    Confusion plus(Confusion o) {
      return new Confusion("overall", tp + o.tp, fp + o.fp, fn + o.fn, tn + o.tn);
    }
  }

  public static GroupMetrics metrics(Confusion c) {
    double tp = Math.max(0, c.tp());
    double fp = Math.max(0, c.fp());
    double fn = Math.max(0, c.fn());
    double tn = Math.max(0, c.tn());
    double n = tp + fp + fn + tn;
    return GroupMetrics.newBuilder().setGroup(c.group()).setCount(n)
        .setSelectionRate(div(tp + fp, n)).setTruePositiveRate(div(tp, tp + fn)).setFalsePositiveRate(div(fp, fp + tn))
        .setFalseNegativeRate(div(fn, tp + fn)).setTrueNegativeRate(div(tn, fp + tn)).setPrecision(div(tp, tp + fp))
        .setAccuracy(div(tp + tn, n)).build();
  }

  private static double div(double a, double b) {
    return b > 0 ? a / b : Double.NaN;
  }

  /** The report with its bias audit (reference and tolerance from the spec; defaults when it is empty). */
  public static FairnessReport report(List<String> features, List<Confusion> groups, double minGroupSize, BiasAuditSpec audit) {
    List<Confusion> kept = groups.stream().filter(c -> !suppressed(c, minGroupSize)).toList();
    return report(features, groups, minGroupSize).toBuilder()
        .setBiasAudit(BiasAudit.audit(kept, audit.getReferenceGroup(), audit.getTolerance())).build();
  }

  /** A group too small to report on (the policy minimum): its metrics are withheld and it takes no part in disparities. */
  private static boolean suppressed(Confusion c, double minGroupSize) {
    return c.n() < minGroupSize;
  }

  public static FairnessReport report(List<String> features, List<Confusion> groups, double minGroupSize) {
    FairnessReport.Builder r = FairnessReport.newBuilder().addAllSensitiveFeatures(features);
    Confusion all = new Confusion("overall", 0, 0, 0, 0);
    List<GroupMetrics> kept = new ArrayList<>();
    for (Confusion c : groups) {
      all = all.plus(c);
      GroupMetrics m = metrics(c);
      if (suppressed(c, minGroupSize)) {
        r.addGroups(GroupMetrics.newBuilder().setGroup(c.group()).setSuppressed(true)
            .setSuppressionReason("fewer than " + (long) minGroupSize + " evaluation rows (policy minimum)").build());
      } else {
        r.addGroups(m);
        kept.add(m);
      }
    }
    GroupMetrics overall = metrics(all);
    r.setOverall(overall);
    double[] sr = kept.stream().mapToDouble(GroupMetrics::getSelectionRate).toArray();
    double[] tpr = kept.stream().mapToDouble(GroupMetrics::getTruePositiveRate).toArray();
    double[] fpr = kept.stream().mapToDouble(GroupMetrics::getFalsePositiveRate).toArray();
    r.setDemographicParityDifference(between(sr)).setDemographicParityDifferenceToOverall(toOverall(sr, overall.getSelectionRate()))
        .setDemographicParityRatio(ratio(sr)).setDemographicParityRatioToOverall(ratioToOverall(sr, overall.getSelectionRate()))
        .setEqualizedOddsDifference(Math.max(between(tpr), between(fpr)))
        .setEqualizedOddsDifferenceToOverall(Math.max(toOverall(tpr, overall.getTruePositiveRate()),
            toOverall(fpr, overall.getFalsePositiveRate())))
        .setEqualizedOddsRatio(Math.min(ratio(tpr), ratio(fpr)))
        .setEqualizedOddsRatioToOverall(Math.min(ratioToOverall(tpr, overall.getTruePositiveRate()),
            ratioToOverall(fpr, overall.getFalsePositiveRate())))
        .setEqualOpportunityDifference(between(tpr)).setEqualOpportunityDifferenceToOverall(toOverall(tpr, overall.getTruePositiveRate()));
    return r.build();
  }

  /** {min, max} of the values. */
  private static double[] range(double[] v) {
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    for (double x : v) {
      max = Math.max(max, x);
      min = Math.min(min, x);
    }
    return new double[] {min, max};
  }

  static double between(double[] v) {
    if (v.length == 0) return Double.NaN;
    double[] r = range(v);
    return r[1] - r[0];
  }

  static double toOverall(double[] v, double overall) {
    if (v.length == 0) return Double.NaN;
    double worst = 0;
    for (double x : v) worst = Math.max(worst, Math.abs(x - overall));
    return worst;
  }

  static double ratio(double[] v) {
    if (v.length == 0) return Double.NaN;
    double[] r = range(v);
    return r[1] == 0 ? (r[0] == 0 ? 1 : Double.NaN) : r[0] / r[1];
  }

  static double ratioToOverall(double[] v, double overall) {
    if (v.length == 0) return Double.NaN;
    double worst = 1;
    for (double x : v) {
      double r = overall == 0 || x == 0 ? (x == overall ? 1 : 0) : Math.min(x / overall, overall / x);
      worst = Math.min(worst, r);
    }
    return worst;
  }
}
