package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.consilium.analytics.wire.RocPoint;

/**
 * ROC AUC from securely aggregated score histograms: each node counts its positives and
 * negatives per score bin (a local step that adds across nodes); the combine step computes the
 * AUC as the probability that a random positive scores above a random negative, ties within a
 * bin counting one half. With 1000 bins the error against the exact AUC is below the share of
 * pairs that fall in the same bin.
 */
public final class ScoreHistogram {
  public static final int BINS = 1000;

  private ScoreHistogram() {}

  /** Local step: [positives per bin, negatives per bin] for scores in [0, 1]. */
  public static double[] local(double[] scores, double[] labels) {
    return local(scores, labels, BINS);
  }

  /** The same with a chosen number of bins (fewer under DP, where every bin carries noise). */
  public static double[] local(double[] scores, double[] labels, int bins) {
    double[] h = new double[2 * bins];
    for (int i = 0; i < scores.length; i++) {
      int b = Math.min(bins - 1, Math.max(0, (int) Math.floor(scores[i] * bins)));
      h[(labels[i] > 0.5 ? 0 : bins) + b] += 1;
    }
    return h;
  }

  /** Combine step: AUC from the aggregated histograms (negative noisy counts count as zero). */
  public static double auc(double[] h) {
    int bins = h.length / 2;
    double[] totals = classTotals(h, "AUC");
    double pos = totals[0];
    double neg = totals[1];
    double negBelow = 0;
    double wins = 0;
    for (int b = 0; b < bins; b++) {
      double p = Math.max(0, h[b]);
      double n = Math.max(0, h[bins + b]);
      wins += p * (negBelow + 0.5 * n);
      negBelow += n;
    }
    return wins / (pos * neg);
  }

  /**
   * Combine step: the ROC curve at every step-th bin edge, from threshold 1 (nothing predicted
   * positive, the point (0, 0)) down to threshold 0 (everything positive, (1, 1)). Post-processing
   * of the released histograms (negative noisy counts count as zero), so it costs no privacy.
   */
  public static List<RocPoint> roc(double[] h, int points) {
    int bins = h.length / 2;
    if (points < 1 || bins % points != 0) throw new IllegalArgumentException("points must divide the " + bins + " bins");
    double[] totals = classTotals(h, "a ROC curve");
    double pos = totals[0];
    double neg = totals[1];
    List<RocPoint> curve = new ArrayList<>(points + 1);
    curve.add(point(1.0, 0, 0));
    double tp = 0;
    double fp = 0;
    int step = bins / points;
    for (int b = bins - 1; b >= 0; b--) {
      tp += Math.max(0, h[b]);
      fp += Math.max(0, h[bins + b]);
      if (b % step == 0) curve.add(point((double) b / bins, fp / neg, tp / pos));
    }
    return curve;
  }

  /** [positives, negatives] in the histograms, noisy negative counts as zero; both must be there. */
  private static double[] classTotals(double[] h, String what) {
    int bins = h.length / 2;
    double pos = 0;
    double neg = 0;
    for (int b = 0; b < bins; b++) {
      pos += Math.max(0, h[b]);
      neg += Math.max(0, h[bins + b]);
    }
    if (pos == 0 || neg == 0) throw new IllegalArgumentException(what + " needs both classes");
    return new double[] {pos, neg};
  }

  private static RocPoint point(double threshold, double fpr, double tpr) {
    return RocPoint.newBuilder().setThreshold(threshold).setFalsePositiveRate(fpr).setTruePositiveRate(tpr).build();
  }

  /** The exact AUC (Mann-Whitney, ties half) on pooled scores: the reference. */
  public static double exactAuc(double[] scores, double[] labels) {
    Integer[] idx = new Integer[scores.length];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    Arrays.sort(idx, (a, b) -> Double.compare(scores[a], scores[b]));
    double pos = 0;
    double neg = 0;
    double rankSum = 0;
    int i = 0;
    while (i < idx.length) {
      int j = i;
      while (j + 1 < idx.length && scores[idx[j + 1]] == scores[idx[i]]) j++;
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (labels[idx[k]] > 0.5) {
          rankSum += rank;
          pos++;
        } else {
          neg++;
        }
      }
      i = j + 1;
    }
    return (rankSum - pos * (pos + 1) / 2) / (pos * neg);
  }
}
