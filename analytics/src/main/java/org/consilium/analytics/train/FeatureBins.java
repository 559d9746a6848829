package org.consilium.analytics.train;

import java.util.Arrays;
import java.util.List;
import org.consilium.analytics.dictionary.ColumnDefinition;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.ShapeFunction;

/**
 * One feature's bins in an EBM: equal widths over a numeric feature's public bounds (values
 * outside are clipped in), or one bin per declared value of a categorical one. Bins depend only
 * on public facts (the data dictionary and the spec), so computing them costs no budget.
 */
record FeatureBins(String feature, double[] edges, double[] codes, List<String> categories) {
  static FeatureBins numeric(ColumnDefinition column, int bins) {
    double[] edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) edges[i] = column.lower() + (column.upper() - column.lower()) * i / bins;
    edges[bins] = column.upper();
    return new FeatureBins(column.name(), edges, null, null);
  }

  static FeatureBins categorical(CategoricalFeature feature) {
    return new FeatureBins(feature.getColumn(), null, feature.getValuesList().stream().mapToDouble(Double::parseDouble).toArray(),
        List.copyOf(feature.getValuesList()));
  }

  /** The bins of a released shape function (or an interaction's axis). */
  static FeatureBins of(ShapeFunction s) {
    return s.getCategoriesCount() > 0
        ? new FeatureBins(s.getFeature(), null, s.getCategoriesList().stream().mapToDouble(Double::parseDouble).toArray(),
            List.copyOf(s.getCategoriesList()))
        : new FeatureBins(s.getFeature(), s.getEdgesList().stream().mapToDouble(Double::doubleValue).toArray(), null, null);
  }

  boolean isCategorical() {
    return codes != null;
  }

  int size() {
    return codes != null ? codes.length : edges.length - 1;
  }

  /** The bin of a raw value (a numeric one clipped into the edges), or -1 (missing, or an undeclared code). */
  int of(double v) {
    if (Double.isNaN(v)) return -1;
    if (codes != null) {
      for (int i = 0; i < codes.length; i++) if (codes[i] == v) return i;
      return -1;
    }
    double x = Math.min(Math.max(v, edges[0]), edges[edges.length - 1]);
    int b = Arrays.binarySearch(edges, 1, edges.length - 1, x);
    return b >= 0 ? b : -b - 2;
  }

  /** The same feature on at most m bins: a numeric one re-cut into m equal widths over its bounds, a categorical one as is. */
  FeatureBins coarse(int m) {
    if (codes != null || size() <= m) return this;
    double[] e = new double[m + 1];
    for (int i = 0; i <= m; i++) e[i] = edges[0] + (edges[edges.length - 1] - edges[0]) * i / m;
    e[m] = edges[edges.length - 1];
    return new FeatureBins(feature, e, null, null);
  }

  /** Each bin's centre on [-1, 1] across the bounds (numeric only): the abscissa of smoothing. */
  double[] centres() {
    double lo = edges[0];
    double width = edges[edges.length - 1] - lo;
    double[] c = new double[size()];
    for (int b = 0; b < c.length; b++) c[b] = width > 0 ? 2 * ((edges[b] + edges[b + 1]) / 2 - lo) / width - 1 : 0;
    return c;
  }

  /** This feature's bins as a shape function's (or an axis's) description. */
  ShapeFunction.Builder describe() {
    ShapeFunction.Builder s = ShapeFunction.newBuilder().setFeature(feature);
    if (categories != null) s.addAllCategories(categories);
    else Arrays.stream(edges).forEach(s::addEdges);
    return s;
  }
}
