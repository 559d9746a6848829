package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dp.Release;
import org.consilium.analytics.fairness.Fairness;
import org.consilium.analytics.fairness.ThresholdMitigation;
import org.consilium.analytics.wire.CalibrationBin;
import org.consilium.analytics.wire.FairnessReport;
import org.consilium.analytics.wire.Interval;
import org.consilium.analytics.wire.SiteEvaluation;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;

/**
 * The evaluation step of a training job: its vector layout, a node's local part, and the
 * metrics the coordinator derives from the aggregate.
 *
 * <p>Layout: one block of score histograms per site ([positives per bin, negatives per bin];
 * each site fills only its own, so per-site AUC and accuracy come for free and the pooled
 * histogram is their sum), the loss and the row count (exact only), per sensitive group the
 * confusion cells at 0.5 (TP, FP, FN, TN), the design column sums (exact only, for SHAP), and
 * per group the score histograms for threshold mitigation. One record lands in one bin of one
 * site, in one group's cells and in one group histogram: sensitivity 1 for each part.
 *
 * <p>Under DP every metric is computed from post-processed aggregates (no bin below zero, the
 * row count the histogram's own total, so an accuracy is a share of the rows it counts and
 * never above 1), and each carries a 95% interval from redrawing the known noise.
 */
final class Evaluation {
  /** Per-group score histogram bins for threshold mitigation. */
  static final int GROUP_BINS = 20;

  private final TrainSpec spec;
  private final int bins;
  private final int sites;
  private final int width;
  private final List<String> groupLabels;
  private final double[][] groupValues;
  private final boolean mitigate;
  private final boolean dp;
  /** Histogram blocks: one per site, or under DP without per-site evaluation a single pooled one. */
  private final int blocks;

  Evaluation(TrainSpec spec, int bins, int sites, int width, List<String> groupLabels, double[][] groupValues, boolean dp) {
    this.spec = spec;
    this.bins = bins;
    this.sites = sites;
    this.width = width;
    this.groupLabels = List.copyOf(groupLabels);
    this.groupValues = groupValues;
    this.mitigate = ThresholdMitigation.isThreshold(spec.getMitigation());
    this.dp = dp;
    this.blocks = !dp || spec.getPerSiteEvaluation() ? sites : 1;
  }

  private boolean logistic() {
    return spec.getModel() != TrainSpec.Model.LINEAR; // logistic regression and EBM are binary
  }

  int histograms() {
    return blocks * 2 * bins;
  }

  int lossAt() {
    return histograms();
  }

  int rowsAt() {
    return histograms() + 1;
  }

  int cellsAt() {
    return histograms() + 2;
  }

  int columnSumsAt() {
    return cellsAt() + 4 * groupLabels.size();
  }

  int groupHistogramsAt() {
    return columnSumsAt() + width;
  }

  int length() {
    return groupHistogramsAt() + (mitigate ? 2 * GROUP_BINS * groupLabels.size() : 0);
  }

  /** The noise components of the slots, by slot: 0 none (exact-only slots), 1 histogram, 2 confusion cells, 3 group histograms. */
  int componentOf(int slot) {
    if (slot < histograms()) return 1;
    if (slot < cellsAt()) return 0;
    if (slot < columnSumsAt()) return 2;
    if (slot < groupHistogramsAt()) return 0;
    return 3;
  }

  /** A node's evaluation vector: only its own site's histogram block is filled. */
  double[] local(Dataset data, FeatureSpace.Rows rows, double[] scores, double[] losses, int site) {
    double[] out = new double[length()];
    if (logistic()) {
      double[] h = ScoreHistogram.local(scores, rows.y(), bins);
      System.arraycopy(h, 0, out, (blocks == 1 ? 0 : site) * 2 * bins, h.length);
    }
    if (!dp) {
      // Unbounded sums (loss, rows, design columns): never under DP, where these slots stay zero and unnoised.
      for (double l : losses) out[lossAt()] += l;
      out[rowsAt()] = rows.size();
      for (int i = 0; i < rows.size(); i++) {
        for (int c = 0; c < width; c++) out[columnSumsAt() + c] += rows.x()[i][c];
      }
    }
    if (!groupLabels.isEmpty()) {
      int[] cols = spec.getSensitiveFeaturesList().stream().mapToInt(f -> data.requireColumn(f.getColumn())).toArray();
      for (int i = 0; i < rows.size(); i++) {
        int g = SensitiveGroups.index(groupValues, data, rows.rowIndex()[i], cols);
        if (g < 0) continue;
        boolean predicted = scores[i] >= 0.5;
        boolean actual = rows.y()[i] > 0.5;
        int cell = predicted ? (actual ? 0 : 1) : (actual ? 2 : 3); // TP, FP, FN, TN
        out[cellsAt() + 4 * g + cell] += 1;
        if (mitigate) {
          int b = Math.min(GROUP_BINS - 1, (int) Math.floor(scores[i] * GROUP_BINS));
          out[groupHistogramsAt() + 2 * GROUP_BINS * g + (actual ? 0 : GROUP_BINS) + b] += 1;
        }
      }
    }
    return out;
  }


  /** The pooled histogram: the sum of the blocks. */
  private double[] pooled(double[] sums) {
    double[] h = new double[2 * bins];
    for (int s = 0; s < blocks; s++) for (int b = 0; b < 2 * bins; b++) h[b] += sums[s * 2 * bins + b];
    return h;
  }

  private double[] site(double[] sums, int s) {
    return Arrays.copyOfRange(sums, s * 2 * bins, (s + 1) * 2 * bins);
  }

  /** A histogram as released: under DP no bin below zero. */
  private double[] clean(double[] h) {
    if (!dp) return h;
    double[] c = new double[h.length];
    for (int i = 0; i < h.length; i++) c[i] = Math.max(0, h[i]);
    return c;
  }

  /**
   * Accuracy at 0.5 from a score histogram: the share of its own rows on the right side (both
   * from the same bins, so never above 1 however noisy), cut to [0, 1]; NaN when empty.
   */
  private double accuracy(double[] h) {
    double correct = 0;
    double n = 0;
    for (int b = 0; b < bins; b++) {
      correct += b >= bins / 2 ? h[b] : h[bins + b];
      n += h[b] + h[bins + b];
    }
    return n > 0 ? Math.min(1, Math.max(0, correct / n)) : Double.NaN;
  }

  /**
   * AUC from a histogram. Under DP from the raw noisy bins: the pair count is a product of
   * independent noisy sums, so it is unbiased, where zeroing negative bins first would add
   * spurious mass and pull every AUC towards 0.5; only the result is cut to [0, 1].
   */
  private double auc(double[] h) {
    if (!dp) {
      try {
        return ScoreHistogram.auc(h);
      } catch (IllegalArgumentException e) {
        return Double.NaN; // one class absent from this histogram
      }
    }
    double pos = 0;
    double neg = 0;
    double negBelow = 0;
    double wins = 0;
    for (int b = 0; b < bins; b++) {
      wins += h[b] * (negBelow + 0.5 * h[bins + b]);
      negBelow += h[bins + b];
      pos += h[b];
      neg += h[bins + b];
    }
    return pos > 0 && neg > 0 ? Math.min(1, Math.max(0, wins / (pos * neg))) : Double.NaN;
  }

  /** Log-loss from the histogram under DP (each bin's rows at its midpoint score): no separate release needed. */
  private double histogramLogLoss(double[] h) {
    double loss = 0;
    double n = 0;
    for (int b = 0; b < bins; b++) {
      double p = (b + 0.5) / bins;
      loss += -h[b] * Math.log(p) - h[bins + b] * Math.log(1 - p);
      n += h[b] + h[bins + b];
    }
    return n > 0 ? loss / n : Double.NaN;
  }

  /** 95% interval of a statistic of one histogram, redrawing its noise (sd per bin). */
  private Interval interval(double[] noisy, double sd, ToDoubleFunction<double[]> statistic) {
    double[] sds = new double[noisy.length];
    Arrays.fill(sds, sd);
    return Release.bootstrap(noisy, sds, statistic);
  }

  /**
   * Fills the model's evaluation from the aggregate. sd holds the released noise's standard
   * deviation per component (index as {@link #componentOf}), or null for an exact release.
   */
  void release(TrainedModel.Builder m, double[] sums, double[] sd, List<String> siteNames) {
    double[] noisy = pooled(sums);
    double[] hist = clean(noisy);
    double n = dp ? Arrays.stream(hist).sum() : sums[rowsAt()];
    if (logistic()) {
      m.setAuc(auc(noisy)).setAccuracy(accuracy(noisy));
      m.addAllCalibration(calibration(hist));
      try {
        m.addAllRoc(ScoreHistogram.roc(hist, Math.min(bins, 50)));
      } catch (IllegalArgumentException e) {
        // one class absent: no curve
      }
      if (sd != null) {
        double pooledSd = sd[1] * Math.sqrt(blocks);
        m.setAucInterval(interval(noisy, pooledSd, this::auc)).setAccuracyInterval(interval(noisy, pooledSd, this::accuracy));
      }
      for (int s = 0; s < blocks && blocks == sites; s++) {
        double[] raw = site(sums, s);
        SiteEvaluation.Builder e = SiteEvaluation.newBuilder().setSite(siteNames.get(s)).setRows(Release.count(Arrays.stream(raw).sum()))
            .setAuc(auc(raw)).setAccuracy(accuracy(raw));
        if (sd != null) e.setAucInterval(interval(raw, sd[1], this::auc)).setAccuracyInterval(interval(raw, sd[1], this::accuracy));
        m.addSites(e);
      }
    }
    m.setLogLoss(dp ? (logistic() ? histogramLogLoss(hist) : Double.NaN) : sums[lossAt()] / Math.max(n, 1));
    if (!groupLabels.isEmpty()) fairness(m, sums, sd);
  }

  private void fairness(TrainedModel.Builder m, double[] sums, double[] sd) {
    List<String> sensitive = spec.getSensitiveFeaturesList().stream().map(f -> f.getColumn()).toList();
    double minGroup = spec.getMinGroupSize() == 0 ? 10 : spec.getMinGroupSize();
    FairnessReport report = Fairness.report(sensitive, confusions(sums), minGroup, spec.getBiasAudit());
    if (sd != null) {
      double[] cells = Arrays.copyOfRange(sums, cellsAt(), columnSumsAt());
      double[] sds = new double[cells.length];
      Arrays.fill(sds, sd[2]);
      java.util.function.Function<double[], FairnessReport> redo = d -> {
        double[] copy = sums.clone();
        System.arraycopy(d, 0, copy, cellsAt(), d.length);
        return Fairness.report(sensitive, confusions(copy), minGroup);
      };
      report = report.toBuilder()
          .setDemographicParityDifferenceInterval(Release.bootstrap(cells, sds, d -> redo.apply(d).getDemographicParityDifference()))
          .setEqualizedOddsDifferenceInterval(Release.bootstrap(cells, sds, d -> redo.apply(d).getEqualizedOddsDifference())).build();
    }
    m.setFairness(report);
    if (mitigate) {
      List<ThresholdMitigation.GroupHistogram> hists = new ArrayList<>();
      for (int g = 0; g < groupLabels.size(); g++) {
        int at = groupHistogramsAt() + 2 * GROUP_BINS * g;
        hists.add(new ThresholdMitigation.GroupHistogram(groupLabels.get(g), clean(Arrays.copyOfRange(sums, at, at + GROUP_BINS)),
            clean(Arrays.copyOfRange(sums, at + GROUP_BINS, at + 2 * GROUP_BINS))));
      }
      m.setMitigation(ThresholdMitigation.mitigate(spec.getMitigation(), sensitive, hists, minGroup, spec.getBiasAudit()));
    }
  }

  private List<Fairness.Confusion> confusions(double[] sums) {
    List<Fairness.Confusion> groups = new ArrayList<>();
    for (int g = 0; g < groupLabels.size(); g++) {
      int at = cellsAt() + 4 * g;
      groups.add(new Fairness.Confusion(groupLabels.get(g), sums[at], sums[at + 1], sums[at + 2], sums[at + 3]));
    }
    return groups;
  }

  /** Ten equal-width score bins (or the histogram's own, when it has fewer) : rows and observed positive rate. */
  private List<CalibrationBin> calibration(double[] hist) {
    List<CalibrationBin> out = new ArrayList<>();
    int groups = Math.min(10, bins);
    int per = bins / groups;
    for (int d = 0; d < groups; d++) {
      double pos = 0;
      double neg = 0;
      for (int b = d * per; b < (d + 1) * per; b++) {
        pos += hist[b];
        neg += hist[bins + b];
      }
      out.add(CalibrationBin.newBuilder().setScoreFrom((double) d / groups).setScoreTo((double) (d + 1) / groups)
          .setRows(pos + neg).setObservedRate(pos + neg > 0 ? pos / (pos + neg) : Double.NaN).build());
    }
    return out;
  }
}
