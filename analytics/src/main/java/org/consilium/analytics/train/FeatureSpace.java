package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.consilium.analytics.data.Cohort;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.TrainSpec;

/**
 * The design matrix every node builds the same way from a {@link TrainSpec}: an intercept, the
 * numeric features (standardised with securely aggregated moments when asked), and one-hot
 * columns for the declared categories, the first category of each being the reference level.
 * Rows with a missing target, or (under DROP_ROWS) any missing feature, or an undeclared
 * category are left out; under IMPUTE_MEAN a missing numeric feature takes the aggregated mean.
 */
public final class FeatureSpace {
  private final TrainSpec spec;
  private final List<String> names = new ArrayList<>();
  private final double[][] categoryValues;

  private FeatureSpace(TrainSpec spec) {
    this.spec = spec;
    if (spec.getTarget().isBlank()) throw new InvalidSpecException("train.target", "must name a column");
    if (spec.getNumericFeaturesCount() + spec.getCategoricalFeaturesCount() == 0) {
      throw new InvalidSpecException("train.features", "at least one feature is needed");
    }
    Set<String> seen = new HashSet<>();
    names.add("(intercept)");
    for (String f : spec.getNumericFeaturesList()) {
      if (!seen.add(f)) throw new InvalidSpecException("train.numeric_features", "'" + f + "' is listed twice");
      names.add(f);
    }
    categoryValues = new double[spec.getCategoricalFeaturesCount()][];
    for (int c = 0; c < spec.getCategoricalFeaturesCount(); c++) {
      CategoricalFeature cf = spec.getCategoricalFeatures(c);
      if (!seen.add(cf.getColumn())) throw new InvalidSpecException("train.categorical_features", "'" + cf.getColumn() + "' is listed twice");
      if (cf.getValuesCount() < 2) throw new InvalidSpecException("train.categorical_features", "'" + cf.getColumn() + "' needs at least 2 values");
      categoryValues[c] = new double[cf.getValuesCount()];
      for (int v = 0; v < cf.getValuesCount(); v++) {
        try {
          categoryValues[c][v] = Double.parseDouble(cf.getValues(v));
        } catch (NumberFormatException e) {
          throw new InvalidSpecException("train.categorical_features", "'" + cf.getValues(v) + "' of '" + cf.getColumn() + "' is not a numeric code");
        }
        if (v > 0) names.add(cf.getColumn() + "=" + cf.getValues(v));
      }
    }
    if (seen.contains(spec.getTarget())) throw new InvalidSpecException("train.target", "the target cannot also be a feature");
  }

  public static FeatureSpace of(TrainSpec spec) {
    return new FeatureSpace(spec);
  }

  /** Column names of the design matrix, intercept first. */
  public List<String> names() {
    return List.copyOf(names);
  }

  /** The original features (numeric, then categorical), each with its design columns. */
  public List<String> featureNames() {
    List<String> out = new ArrayList<>(spec.getNumericFeaturesList());
    spec.getCategoricalFeaturesList().forEach(c -> out.add(c.getColumn()));
    return out;
  }

  public List<int[]> featureBlocks() {
    List<int[]> out = new ArrayList<>();
    for (int j = 0; j < numeric(); j++) out.add(new int[] {1 + j});
    int at = 1 + numeric();
    for (double[] values : categoryValues) {
      int[] block = new int[values.length - 1];
      for (int k = 0; k < block.length; k++) block[k] = at + k;
      out.add(block);
      at += block.length;
    }
    return out;
  }

  public int width() {
    return names.size();
  }

  private int numeric() {
    return spec.getNumericFeaturesCount();
  }

  /** Local step of the preprocessing round: per numeric feature [count, sum, sum of squares] over training rows. */
  public double[] localMoments(Dataset data) {
    double[] m = new double[3 * numeric()];
    forEachRow(data, null, (row, x, y) -> {
      if (evaluationRow(data, row)) return; // preprocessing sees training rows only
      for (int j = 0; j < numeric(); j++) {
        double v = x[1 + j];
        if (Double.isNaN(v)) continue;
        m[3 * j] += 1;
        m[3 * j + 1] += v;
        m[3 * j + 2] += v * v;
      }
    });
    return m;
  }

  /** Combine step of the preprocessing round: means and standard deviations of the numeric features. */
  public Standardization standardization(double[] aggregatedMoments) {
    double[] mean = new double[numeric()];
    double[] sd = new double[numeric()];
    for (int j = 0; j < numeric(); j++) {
      double n = aggregatedMoments[3 * j];
      if (n < 2) throw new IllegalArgumentException("feature '" + names.get(1 + j) + "' has fewer than 2 values across the consortium");
      mean[j] = aggregatedMoments[3 * j + 1] / n;
      double var = (aggregatedMoments[3 * j + 2] - n * mean[j] * mean[j]) / (n - 1);
      sd[j] = spec.getStandardize() && var > 0 ? Math.sqrt(var) : 1.0;
    }
    return new Standardization(mean, sd, spec.getStandardize());
  }

  /** Which rows a step uses: all usable rows, or the training or held-out part of the split. */
  public enum Part { ALL, TRAINING, HOLDOUT }

  /** The rows this node trains on: design matrix (with intercept) and labels. */
  public Rows rows(Dataset data, Standardization s) {
    return rows(data, s, Part.ALL);
  }

  /**
   * The usable rows of one part. A row is held out when a keyed hash of (split_seed, its row
   * number in the node's file) falls below holdout_fraction: the same rows at every run, at no
   * cost in communication, independent across nodes.
   */
  public Rows rows(Dataset data, Standardization s, Part part) {
    List<double[]> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    List<Integer> idx = new ArrayList<>();
    forEachRow(data, s, (r, x, y) -> {
      if (part != Part.ALL && splits() && evaluationRow(data, r) != (part == Part.HOLDOUT)) return;
      xs.add(x);
      ys.add(y);
      idx.add(r);
    });
    double[] y = new double[ys.size()];
    for (int i = 0; i < y.length; i++) y[i] = ys.get(i);
    return new Rows(xs.toArray(double[][]::new), y, idx.stream().mapToInt(Integer::intValue).toArray());
  }

  /** How many rows {@link #rows} would give for all parts: the cohort's size, counted without keeping the rows. */
  public long usableRows(Dataset data) {
    long[] count = {0};
    forEachRow(data, null, (r, x, y) -> count[0]++);
    return count[0];
  }

  /** A node's design matrix and labels, with each row's number in the node's table. */
  public record Rows(double[][] x, double[] y, int[] rowIndex) {
    public Rows(double[][] x, double[] y) {
      this(x, y, new int[0]);
    }

    public int size() {
      return y.length;
    }

    /** The rows of several parts one after another (the pooled reference). */
    public static Rows concat(List<Rows> parts) {
      List<double[]> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (Rows r : parts) {
        xs.addAll(List.of(r.x()));
        for (double v : r.y()) ys.add(v);
      }
      return new Rows(xs.toArray(double[][]::new), ys.stream().mapToDouble(Double::doubleValue).toArray());
    }
  }

  /** The design row of one table row for scoring (no target needed), or null if it cannot be scored. */
  public double[] designRow(Dataset data, int r, Standardization s) {
    int[] num = spec.getNumericFeaturesList().stream().mapToInt(data::requireColumn).toArray();
    int[] cat = spec.getCategoricalFeaturesList().stream().mapToInt(c -> data.requireColumn(c.getColumn())).toArray();
    return encode(data, r, num, cat, s);
  }

  private double[] encode(Dataset data, int r, int[] num, int[] cat, Standardization s) {
    double[] x = new double[width()];
    x[0] = 1;
    boolean drop = spec.getMissing() == TrainSpec.MissingPolicy.DROP_ROWS;
    for (int j = 0; j < num.length; j++) {
      double v = data.value(r, num[j]);
      if (Double.isNaN(v)) {
        if (drop) return null;
        if (s != null) v = s.meanOf(j);
      }
      x[1 + j] = s == null || Double.isNaN(v) ? v : s.apply(j, v);
    }
    int at = 1 + num.length;
    for (int c = 0; c < cat.length; c++) {
      double v = data.value(r, cat[c]);
      int level = -1;
      for (int k = 0; k < categoryValues[c].length; k++) if (categoryValues[c][k] == v) level = k;
      if (level < 0) return null; // missing or undeclared category
      if (level > 0) x[at + level - 1] = 1;
      at += categoryValues[c].length - 1;
    }
    return x;
  }

  /** Whether a row is in the evaluation part: the declared split when there is one, else the hashed holdout. */
  private boolean evaluationRow(Dataset data, int row) {
    if (spec.getEvaluationRowsCount() > 0) return Cohort.matches(data, row, spec.getEvaluationRowsList());
    return spec.getHoldoutFraction() > 0 && heldOut(spec.getSplitSeed(), row, spec.getHoldoutFraction());
  }

  /** True when training and evaluation use different rows. */
  public boolean splits() {
    return spec.getEvaluationRowsCount() > 0 || spec.getHoldoutFraction() > 0;
  }

  static boolean heldOut(long seed, int row, double fraction) {
    long z = seed + 0x9E3779B97F4A7C15L * (row + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 11) * 0x1.0p-53 < fraction;
  }

  private interface RowSink {
    void accept(int row, double[] x, double y);
  }

  /** Visits usable rows; with s == null numeric values are raw (NaN where missing, for moments). */
  private void forEachRow(Dataset data, Standardization s, RowSink sink) {
    int target = data.requireColumn(spec.getTarget());
    int[] num = spec.getNumericFeaturesList().stream().mapToInt(data::requireColumn).toArray();
    int[] cat = spec.getCategoricalFeaturesList().stream().mapToInt(c -> data.requireColumn(c.getColumn())).toArray();
    for (int r = 0; r < data.rowCount(); r++) {
      double t = data.value(r, target);
      if (Double.isNaN(t)) continue;
      double[] x = encode(data, r, num, cat, s);
      if (x == null) continue;
      double y = spec.getModel() != TrainSpec.Model.LINEAR ? (t > spec.getPositiveAbove() ? 1 : 0) : t;
      sink.accept(r, x, y);
    }
  }
}
