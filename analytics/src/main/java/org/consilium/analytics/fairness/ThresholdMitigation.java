package org.consilium.analytics.fairness;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.wire.FairnessReport;
import org.consilium.analytics.wire.GroupThreshold;
import org.consilium.analytics.wire.MitigationResult;

/**
 * Post-processing for demographic parity in the spirit of Hardt, Price and Srebro (2016): each
 * group gets its own decision threshold, chosen among the bin edges of its aggregated score
 * histograms so that its selection rate comes closest to the overall selection rate at 0.5.
 * Everything is computed from per-group histograms of positives and negatives that nodes sum
 * securely; the deterministic thresholds are a simplification of the paper's randomised ones.
 */
public final class ThresholdMitigation {
  private ThresholdMitigation() {}

  /** Per group: positives and negatives per score bin (bins equal-width on [0, 1]). */
  public record GroupHistogram(String group, double[] positives, double[] negatives) {}

  public static MitigationResult demographicParity(List<String> features, List<GroupHistogram> groups, double minGroupSize,
      org.consilium.analytics.wire.BiasAuditSpec audit) {
    int bins = groups.get(0).positives().length;
    int half = bins / 2;
    double selected = 0;
    double total = 0;
    double correctBefore = 0;
    for (GroupHistogram g : groups) {
      for (int b = 0; b < bins; b++) {
        double p = Math.max(0, g.positives()[b]);
        double n = Math.max(0, g.negatives()[b]);
        total += p + n;
        if (b >= half) {
          selected += p + n;
          correctBefore += p;
        } else {
          correctBefore += n;
        }
      }
    }
    double target = total > 0 ? selected / total : 0;
    MitigationResult.Builder r = MitigationResult.newBuilder().setMethod("per-group thresholds for demographic parity (post-processing)");
    List<Fairness.Confusion> after = new ArrayList<>();
    double correctAfter = 0;
    for (GroupHistogram g : groups) {
      double n = 0;
      for (int b = 0; b < bins; b++) n += Math.max(0, g.positives()[b]) + Math.max(0, g.negatives()[b]);
      int best = half;
      double bestGap = Double.POSITIVE_INFINITY;
      for (int cut = 0; cut <= bins; cut++) {
        double sel = 0;
        for (int b = cut; b < bins; b++) sel += Math.max(0, g.positives()[b]) + Math.max(0, g.negatives()[b]);
        double gap = n > 0 ? Math.abs(sel / n - target) : 0;
        if (gap < bestGap - 1e-12) {
          bestGap = gap;
          best = cut;
        }
      }
      double tp = 0;
      double fp = 0;
      double fn = 0;
      double tn = 0;
      for (int b = 0; b < bins; b++) {
        double p = Math.max(0, g.positives()[b]);
        double q = Math.max(0, g.negatives()[b]);
        if (b >= best) {
          tp += p;
          fp += q;
        } else {
          fn += p;
          tn += q;
        }
      }
      correctAfter += tp + tn;
      after.add(new Fairness.Confusion(g.group(), tp, fp, fn, tn));
      r.addThresholds(GroupThreshold.newBuilder().setGroup(g.group()).setThreshold((double) best / bins));
    }
    FairnessReport report = Fairness.report(features, after, minGroupSize, audit);
    return r.setAfter(report).setAccuracyBefore(total > 0 ? correctBefore / total : Double.NaN)
        .setAccuracyAfter(total > 0 ? correctAfter / total : Double.NaN).build();
  }
}
