package org.consilium.analytics.train;

/** Per numeric feature: the aggregated mean and the scale used (the standard deviation, or 1). */
public record Standardization(double[] mean, double[] scale, boolean centred) {
  public Standardization {
    mean = mean.clone();
    scale = scale.clone();
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
    return centred ? (v - mean[feature]) / scale[feature] : v;
  }
}
