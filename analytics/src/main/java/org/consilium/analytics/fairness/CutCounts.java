package org.consilium.analytics.fairness;

/**
 * A group's score histogram read as decision rules: cut k (0..bins) predicts positive for the
 * records in bins k and above, i.e. a score of at least k / bins (cut = bins: never). For each
 * cut, the true and false positives it makes. Negative (noisy) counts are read as zero.
 */
final class CutCounts {
  final String group;
  final int bins;
  private final double[] tp;
  private final double[] fp;

  CutCounts(ThresholdMitigation.GroupHistogram h) {
    this.group = h.group();
    this.bins = h.positives().length;
    this.tp = new double[bins + 1];
    this.fp = new double[bins + 1];
    for (int k = bins - 1; k >= 0; k--) {
      tp[k] = tp[k + 1] + Math.max(0, h.positives()[k]);
      fp[k] = fp[k + 1] + Math.max(0, h.negatives()[k]);
    }
  }

  double tp(int cut) {
    return tp[cut];
  }

  double fp(int cut) {
    return fp[cut];
  }

  double positives() {
    return tp[0];
  }

  double negatives() {
    return fp[0];
  }

  double rows() {
    return tp[0] + fp[0];
  }

  /** The score threshold of a cut: its bin edge, or just above 1 for "never". */
  double threshold(int cut) {
    return cut == bins ? Math.nextUp(1.0) : (double) cut / bins;
  }

  /** The confusion matrix of a cut. */
  Fairness.Confusion confusion(int cut) {
    return new Fairness.Confusion(group, tp[cut], fp[cut], positives() - tp[cut], negatives() - fp[cut]);
  }
}
