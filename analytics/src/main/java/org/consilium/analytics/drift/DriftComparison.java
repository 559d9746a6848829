package org.consilium.analytics.drift;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.consilium.analytics.dp.Release;
import org.consilium.analytics.train.ScoreHistogram;
import org.consilium.analytics.wire.DriftReport;
import org.consilium.analytics.wire.DriftResult;
import org.consilium.analytics.wire.FeatureDrift;
import org.consilium.analytics.wire.HistogramCounts;
import org.consilium.analytics.wire.Interval;
import org.consilium.analytics.wire.NoiseComponent;
import org.consilium.analytics.wire.PerformanceDrift;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.SiteDistribution;

/**
 * A drift measurement compared with its baseline, both released (so this is post-processing and
 * costs no budget). Per site present in both and per feature (and the score): the PSI and the
 * Jensen-Shannon distance with 95% intervals under both releases' noise (parametric bootstrap),
 * and the PSI's noise floor: the 99th percentile of the PSI two releases of one unchanged
 * distribution would show under that noise. Sparse bins are merged first (a bin of pure noise
 * would rule the index through its logarithm). An alert is raised when the PSI is above the
 * threshold plus that floor, so DP noise alone does not raise alerts and the threshold keeps its
 * usual meaning. Performance (AUC, calibration) where labels arrived, classifiers only.
 */
public final class DriftComparison {
  /** The usual "major shift" reading of the PSI. */
  public static final double DEFAULT_PSI_THRESHOLD = 0.25;
  private static final int DRAWS = 400;
  /** How many noise standard deviations a merged bin holds at least, per release. */
  static final double MIN_MERGED_SDS = 5;

  private DriftComparison() {}

  /** One release: its job, its distributions, its accounting. */
  public record Measurement(String jobId, DriftResult result, PrivacyAccounting accounting) {}

  public static DriftReport compare(Measurement baseline, Measurement current, double psiThreshold) {
    if (!(psiThreshold > 0)) throw new IllegalArgumentException("the PSI threshold must be positive, got " + psiThreshold);
    DriftReport.Builder r = DriftReport.newBuilder().setBaselineJobId(baseline.jobId()).setJobId(current.jobId())
        .setPsiThreshold(psiThreshold);
    for (SiteDistribution now : current.result().getSitesList()) {
      SiteDistribution then = baseline.result().getSitesList().stream().filter(s -> s.getSite().equals(now.getSite())).findFirst()
          .orElse(null);
      if (then == null) continue;
      for (HistogramCounts h : now.getFeaturesList()) {
        HistogramCounts b = then.getFeaturesList().stream().filter(x -> x.getColumn().equals(h.getColumn())).findFirst().orElse(null);
        if (b == null || b.getCountsCount() != h.getCountsCount()) continue;
        r.addFeatures(feature(now.getSite(), h.getColumn(), counts(b), sd(baseline, "features"), counts(h), sd(current, "features"),
            psiThreshold));
      }
      if (then.getScores().getCountsCount() == now.getScores().getCountsCount() && now.getScores().getCountsCount() > 0) {
        // A score bin is the sum of three noisy cells (positive, negative, unlabelled): sqrt(3) times their noise.
        r.addFeatures(feature(now.getSite(), "score", counts(then.getScores()), Math.sqrt(3) * sd(baseline, "scores"),
            counts(now.getScores()), Math.sqrt(3) * sd(current, "scores"), psiThreshold));
      }
      if (now.getPositivesCount() > 0 && then.getPositivesCount() == now.getPositivesCount()) {
        r.addPerformance(performance(now.getSite(), baseline, then, current, now, current.result().getScoreEdgesList()));
      }
    }
    r.getFeaturesList().stream().filter(FeatureDrift::getAlert).forEach(r::addAlerts);
    return r.build();
  }

  private static FeatureDrift feature(String site, String feature, double[] b, double sdB, double[] c, double sdC, double threshold) {
    int[] groups = sparseBinsMerged(b, c, Math.max(sdB, sdC));
    int bins = b.length;
    int k = groups[bins - 1] + 1;
    FeatureDrift.Builder f = FeatureDrift.newBuilder().setSite(site).setFeature(feature);
    if (k < 2) {
      return f.setPsi(Double.NaN).setJsDistance(Double.NaN).setNoiseFloor(Double.NaN)
          .setNote("too few rows against the noise: no two bins hold " + (int) MIN_MERGED_SDS + " noise standard deviations").build();
    }
    ToDoubleFunction<double[]> psi = d -> DriftMeasures.psi(merge(groups, d, 0), merge(groups, d, bins));
    ToDoubleFunction<double[]> js = d -> DriftMeasures.jensenShannon(merge(groups, d, 0), merge(groups, d, bins));
    double[] both = concat(b, c);
    double[] sd = concat(filled(bins, sdB), filled(bins, sdC));
    double value = psi.applyAsDouble(both);
    double floor = noiseFloor(b, sdB, c, sdC, psi);
    return f.setPsi(value).setPsiInterval(interval(both, sd, psi, value))
        .setJsDistance(js.applyAsDouble(both)).setJsInterval(interval(both, sd, js, js.applyAsDouble(both)))
        .setNoiseFloor(floor).setAlert(value > threshold + floor).build();
  }

  /**
   * Adjacent bins merged, left to right, until a merged bin holds (in the two releases
   * together) at least {@link #MIN_MERGED_SDS} times its noise's standard deviation per release;
   * what is left joins the last merged bin. A bin of pure noise would otherwise dominate the PSI
   * through its logarithm. The grouping depends only on released values; an exact release (sd 0)
   * keeps every bin. Returns each bin's merged index.
   */
  static int[] sparseBinsMerged(double[] b, double[] c, double sd) {
    int[] group = new int[b.length];
    int g = 0;
    int width = 0;
    double held = 0;
    int lastClosed = -1;
    for (int i = 0; i < b.length; i++) {
      group[i] = g;
      width++;
      held += Math.max(0, b[i]) + Math.max(0, c[i]);
      if (held >= 2 * MIN_MERGED_SDS * sd * Math.sqrt(width)) {
        lastClosed = i;
        g++;
        width = 0;
        held = 0;
      }
    }
    for (int i = lastClosed + 1; i < b.length; i++) group[i] = lastClosed >= 0 ? group[lastClosed] : 0;
    return group;
  }

  /** The bins of one release (the half of both starting at from) added up by group, negative counts as 0. */
  private static double[] merge(int[] groups, double[] both, int from) {
    double[] out = new double[groups[groups.length - 1] + 1];
    for (int i = 0; i < groups.length; i++) out[groups[i]] += Release.count(both[from + i]);
    return out;
  }

  /**
   * The 99th percentile of the statistic between two releases of the same distribution (the
   * two measurements' pooled proportions at each one's total) under each release's noise,
   * released as the real ones are (rounded, never negative).
   */
  static double noiseFloor(double[] b, double sdB, double[] c, double sdC, ToDoubleFunction<double[]> statistic) {
    if (sdB == 0 && sdC == 0) return 0;
    double nb = Arrays.stream(b).map(Release::count).sum();
    double nc = Arrays.stream(c).map(Release::count).sum();
    if (!(nb + nc > 0)) return 0;
    int bins = b.length;
    double[] pooled = new double[bins];
    for (int i = 0; i < bins; i++) pooled[i] = (Release.count(b[i]) + Release.count(c[i])) / (nb + nc);
    SplittableRandom rng = new SplittableRandom(Arrays.hashCode(concat(b, c)));
    double[] values = new double[DRAWS];
    double[] draw = new double[2 * bins];
    for (int d = 0; d < DRAWS; d++) {
      for (int i = 0; i < bins; i++) {
        draw[i] = nb * pooled[i] + sdB * Release.gaussian(rng);
        draw[bins + i] = nc * pooled[i] + sdC * Release.gaussian(rng);
      }
      double v = statistic.applyAsDouble(draw);
      values[d] = Double.isNaN(v) ? 0 : v;
    }
    Arrays.sort(values);
    return values[(int) Math.ceil(0.99 * (DRAWS - 1))];
  }

  private static PerformanceDrift performance(String site, Measurement baseline, SiteDistribution then, Measurement current,
      SiteDistribution now, List<Double> edgeList) {
    double[] edges = edgeList.stream().mapToDouble(Double::doubleValue).toArray();
    double[] hb = concat(values(then.getPositivesList()), values(then.getNegativesList()));
    double[] hc = concat(values(now.getPositivesList()), values(now.getNegativesList()));
    PerformanceDrift.Builder p = PerformanceDrift.newBuilder().setSite(site).setLabelledRows(Arrays.stream(hc).map(x -> Math.max(0, x)).sum());
    double aucB = auc(hb);
    double aucC = auc(hc);
    if (Double.isNaN(aucC) || Double.isNaN(aucB)) {
      return p.setNotAvailable("the " + (Double.isNaN(aucC) ? "current" : "baseline") + " labelled rows do not hold both classes").build();
    }
    double[] sdB = filled(hb.length, sd(baseline, "scores"));
    double[] sdC = filled(hc.length, sd(current, "scores"));
    int s = edges.length - 1;
    ToDoubleFunction<double[]> ece = h -> DriftMeasures.calibrationError(edges, Arrays.copyOf(h, s), Arrays.copyOfRange(h, s, 2 * s));
    return p.setBaselineAuc(aucB).setBaselineAucInterval(interval(hb, sdB, DriftComparison::auc, aucB))
        .setAuc(aucC).setAucInterval(interval(hc, sdC, DriftComparison::auc, aucC))
        .setBaselineCalibrationError(ece.applyAsDouble(hb)).setCalibrationError(ece.applyAsDouble(hc))
        .setCalibrationErrorInterval(interval(hc, sdC, ece, ece.applyAsDouble(hc))).build();
  }

  private static double auc(double[] h) {
    try {
      return ScoreHistogram.auc(h);
    } catch (IllegalArgumentException e) {
      return Double.NaN;
    }
  }

  /** The bootstrap interval under the noise, or the point itself for exact releases. */
  private static Interval interval(double[] released, double[] sd, ToDoubleFunction<double[]> statistic, double point) {
    if (Arrays.stream(sd).allMatch(x -> x == 0)) return Interval.newBuilder().setLow(point).setHigh(point).build();
    return Release.bootstrap(released, sd, statistic);
  }

  /** The released noise of a component in data units (0 for an exact release or a missing component). */
  private static double sd(Measurement m, String component) {
    return m.accounting().getComponentsList().stream().filter(c -> c.getName().equals(component)).mapToDouble(NoiseComponent::getStddev)
        .findFirst().orElse(0);
  }

  private static double[] counts(HistogramCounts h) {
    return values(h.getCountsList());
  }

  private static double[] values(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
