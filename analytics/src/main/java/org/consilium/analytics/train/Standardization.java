package org.consilium.analytics.train;

/**
 * Per numeric feature: the centre and the scale used. Exact training: the aggregated mean and
 * standard deviation (or none). DP training: the midpoint and half-range of the data
 * dictionary's public bounds, with values clipped (bounded), so every scaled value lies in
 * [-1, 1] without looking at the data.
 */
public record Standardization(double[] mean, double[] scale, boolean centred, boolean bounded) {
  public Standardization {
    mean = mean.clone();
    scale = scale.clone();
  }

  public Standardization(double[] mean, double[] scale, boolean centred) {
    this(mean, scale, centred, false);
  }

  /** Scaling by public bounds: [lower, upper] to [-1, 1], values outside clipped. */
  public static Standardization bounded(double[] lower, double[] upper) {
    double[] mid = new double[lower.length];
    double[] half = new double[lower.length];
    for (int j = 0; j < mid.length; j++) {
      mid[j] = (lower[j] + upper[j]) / 2;
      half[j] = (upper[j] - lower[j]) / 2;
    }
    return new Standardization(mid, half, true, true);
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public double[] scale() {
    return scale.clone();
  }

  double meanOf(int feature) {
    return mean[feature];
  }

  double apply(int feature, double v) {
    if (!centred) return v;
    double z = (v - mean[feature]) / scale[feature];
    return bounded ? Math.min(1, Math.max(-1, z)) : z;
  }
}
