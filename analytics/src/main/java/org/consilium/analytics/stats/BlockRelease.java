package org.consilium.analytics.stats;

import java.util.Arrays;
import org.consilium.analytics.dp.Release;
import org.consilium.analytics.wire.GroupStatistics;

/**
 * How one group's block of a statistics aggregate, {@code [count, centred sum, (centred sum of
 * squares), bins...]} in data units, becomes released statistics: as it is for an exact
 * release, and post-processed with 95% intervals for a noisy one (a count combined with its
 * covering bins, bins on the simplex, the mean inside the bounds, a variance at or above 0).
 * Post-processing sees only the aggregate, so it costs no budget.
 */
final class BlockRelease {
  private final double lower;
  private final double upper;
  private final double mid;
  private final double half;
  private final boolean variance;
  private final int binsAt;
  private final boolean binsCoverAll;

  /** binsCoverAll: every row of the count falls in a bin (the edges cover the column's public bounds). */
  BlockRelease(double lower, double upper, boolean variance, boolean binsCoverAll) {
    this.lower = lower;
    this.upper = upper;
    this.mid = (lower + upper) / 2;
    this.half = (upper - lower) / 2;
    this.variance = variance;
    this.binsAt = variance ? 3 : 2;
    this.binsCoverAll = binsCoverAll;
  }

  /** Count, sum, mean and variance of a block as it is. */
  GroupStatistics exact(String group, String label, double[] v) {
    double count = v[0];
    double mean = count > 0 ? mid + v[1] / count : Double.NaN;
    GroupStatistics.Builder b = GroupStatistics.newBuilder().setGroup(group).setLabel(label).setCount(count)
        .setSum(count * mid + v[1]).setMean(mean).setVariance(variance(v));
    for (int i = binsAt; i < v.length; i++) b.addHistogram(v[i]);
    return b.build();
  }

  private double variance(double[] v) {
    double n = v[0];
    if (!variance || !(n > 1)) return Double.NaN;
    double centredMean = v[1] / n;
    double squares = v[2] + n * half * half / 2;
    return Math.min(half * half * n / (n - 1), Math.max(0, (squares - n * centredMean * centredMean) / (n - 1)));
  }

  /** A noisy block post-processed, sd holding the released noise's standard deviation at each position. */
  GroupStatistics noisy(String group, String label, double[] raw, double[] sd) {
    int bins = raw.length - binsAt;
    double sdBin = bins > 0 ? sd[binsAt] : 0;
    double[] noisyBins = Arrays.copyOfRange(raw, binsAt, raw.length);
    double countEstimate = raw[0];
    double countSd = sd[0];
    if (binsCoverAll && bins > 0) {
      // Two independent estimates of the same count: weigh them by inverse variance.
      double binSum = Arrays.stream(noisyBins).sum();
      double wCount = 1 / (sd[0] * sd[0]);
      double wBins = 1 / (bins * sdBin * sdBin);
      countEstimate = (raw[0] * wCount + binSum * wBins) / (wCount + wBins);
      countSd = Math.sqrt(1 / (wCount + wBins));
    }
    double count = Release.count(countEstimate);
    double[] post = raw.clone();
    post[0] = count;
    double[] released = bins > 0 ? Release.bins(noisyBins, count, binsCoverAll) : new double[0];
    System.arraycopy(released, 0, post, binsAt, released.length);
    GroupStatistics.Builder b = exact(group, label, post).toBuilder().setCountInterval(Release.countInterval(countEstimate, countSd));
    if (count > 0) b.setMean(Math.min(upper, Math.max(lower, b.getMean())));
    else b.setSum(0);
    double[] sdBlock = sd.clone();
    sdBlock[0] = countSd;
    double[] centre = raw.clone();
    centre[0] = countEstimate;
    b.setMeanInterval(Release.bootstrap(centre, sdBlock, d -> {
      double n = Release.count(d[0]);
      return n > 0 ? Math.min(upper, Math.max(lower, mid + d[1] / n)) : Double.NaN;
    }));
    if (variance) {
      b.setVarianceInterval(Release.bootstrap(centre, sdBlock, d -> {
        double[] c = d.clone();
        c[0] = Release.count(d[0]);
        return variance(c);
      }));
    }
    for (int i = 0; i < bins; i++) b.addHistogramIntervals(Release.countInterval(noisyBins[i], sdBin));
    return b.build();
  }
}
