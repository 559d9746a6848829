package org.consilium.analytics.fairness;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.wire.BiasAuditSpec;
import org.consilium.analytics.wire.FairnessReport;
import org.consilium.analytics.wire.GroupThreshold;
import org.consilium.analytics.wire.MitigationResult;
import org.consilium.analytics.wire.TrainSpec;

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

  /** The post-processing a training spec asks for (not NO_MITIGATION), from the per-group histograms. */
  /** Whether a mitigation is one of these post-processing ones (per-group thresholds from score histograms). */
  public static boolean isThreshold(TrainSpec.Mitigation kind) {
    return kind == TrainSpec.Mitigation.THRESHOLD_DEMOGRAPHIC_PARITY || kind == TrainSpec.Mitigation.THRESHOLD_EQUALIZED_ODDS
        || kind == TrainSpec.Mitigation.THRESHOLD_TRUE_POSITIVE_RATE_PARITY;
  }

  public static MitigationResult mitigate(TrainSpec.Mitigation kind, List<String> features, List<GroupHistogram> histograms,
      double minGroupSize, BiasAuditSpec audit) {
    switch (kind) {
      case THRESHOLD_DEMOGRAPHIC_PARITY:
        return demographicParity(features, histograms, minGroupSize, audit);
      case THRESHOLD_EQUALIZED_ODDS:
        return ThresholdOptimizer.optimize(ThresholdOptimizer.Constraint.EQUALIZED_ODDS, features, histograms, minGroupSize, audit);
      case THRESHOLD_TRUE_POSITIVE_RATE_PARITY:
        return ThresholdOptimizer.optimize(ThresholdOptimizer.Constraint.TRUE_POSITIVE_RATE_PARITY, features, histograms, minGroupSize, audit);
      default:
        throw new IllegalArgumentException("no mitigation '" + kind + "'");
    }
  }

  public static MitigationResult demographicParity(List<String> features, List<GroupHistogram> histograms, double minGroupSize,
      BiasAuditSpec audit) {
    List<CutCounts> groups = histograms.stream().map(CutCounts::new).toList();
    double selected = 0;
    double total = 0;
    for (CutCounts g : groups) {
      selected += g.tp(g.bins / 2) + g.fp(g.bins / 2);
      total += g.rows();
    }
    double target = total > 0 ? selected / total : 0;
    MitigationResult.Builder r = MitigationResult.newBuilder().setMethod("per-group thresholds for demographic parity (post-processing)");
    List<Fairness.Confusion> after = new ArrayList<>();
    for (CutCounts g : groups) {
      int best = g.bins / 2;
      double bestGap = Double.POSITIVE_INFINITY;
      for (int cut = 0; cut <= g.bins; cut++) {
        double gap = g.rows() > 0 ? Math.abs((g.tp(cut) + g.fp(cut)) / g.rows() - target) : 0;
        if (gap < bestGap - 1e-12) {
          bestGap = gap;
          best = cut;
        }
      }
      after.add(g.confusion(best));
      r.addThresholds(GroupThreshold.newBuilder().setGroup(g.group).setThreshold((double) best / g.bins));
    }
    FairnessReport report = Fairness.report(features, after, minGroupSize, audit);
    return r.setAfter(report).setAccuracyBefore(accuracyAtHalf(groups)).setAccuracyAfter(accuracy(after)).build();
  }

  /** The accuracy of deciding at 0.5 (the bin edge in the middle), over all groups. */
  static double accuracyAtHalf(List<CutCounts> groups) {
    return accuracy(groups.stream().map(g -> g.confusion(g.bins / 2)).toList());
  }

  /** (TP + TN) / n over the groups' (possibly expected) confusion matrices; NaN without rows. */
  static double accuracy(List<Fairness.Confusion> groups) {
    double correct = 0;
    double rows = 0;
    for (Fairness.Confusion c : groups) {
      correct += c.tp() + c.tn();
      rows += c.tp() + c.fp() + c.fn() + c.tn();
    }
    return rows > 0 ? correct / rows : Double.NaN;
  }
}
