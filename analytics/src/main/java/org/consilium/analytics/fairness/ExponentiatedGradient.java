package org.consilium.analytics.fairness;

import java.util.Arrays;

/**
 * The reductions approach to fair classification (Agarwal et al. 2018; Fairlearn's
 * ExponentiatedGradient): exponentiated gradient over the Lagrange multipliers of a fairness
 * constraint, each iteration's classifier the best response to them, found as a cost-sensitive
 * classification, which a weighted classifier approximates. The randomised classifier is the
 * uniform mixture of the iterations' classifiers.
 *
 * <p>For both constraints a row's cost of being predicted positive depends only on its cell
 * (label, group), so the whole best response is a table of 2 x groups weights and working
 * labels: a node needs nothing else, and the coordinator needs only counts per cell, from which
 * it also knows each classifier's training error and moments exactly. Cells are
 * indexed {@code y * groups + g}, y = 1 (positive label) or 0. Pure: counts in, costs out.
 *
 * <p>Constraints (moments, each kept within [-tolerance, tolerance]): demographic parity, per
 * group P(h = 1 | A = a) - P(h = 1); equalized odds, per label and group P(h = 1 | A = a, Y = y)
 * - P(h = 1 | Y = y). Multipliers lambda = B exp(theta) / (1 + sum exp(theta)) over the 2K
 * signed constraints, B = 1 / tolerance, theta += eta (gamma - tolerance, -gamma - tolerance)
 * with eta = 2 / B, as Fairlearn's defaults. The first iteration (theta = 0) is the unweighted,
 * unconstrained classifier. The mixture's weights are Fairlearn's final choice over the
 * classifiers found ({@link MixtureProgram}): the least training error whose signed moments stay
 * within the tolerance, or exceed it the least.
 */
public final class ExponentiatedGradient {
  /** Which moments are constrained. */
  public enum Constraint { DEMOGRAPHIC_PARITY, EQUALIZED_ODDS }

  private static final double ETA0 = 2.0;
  private final Constraint constraint;
  private final int groups;
  private final double tolerance;
  private final double bound;
  private final double[] cells;
  private final double[] theta;
  private final java.util.List<double[]> gammas = new java.util.ArrayList<>();
  private final java.util.List<Double> errors = new java.util.ArrayList<>();

  /** cells: the training rows per (label, group) cell; tolerance: the largest allowed |moment|. */
  public ExponentiatedGradient(Constraint constraint, int groups, double tolerance, double[] cells) {
    if (groups < 2) throw new IllegalArgumentException("a fairness constraint needs at least 2 groups, got " + groups);
    if (!(tolerance > 0 && tolerance < 1)) throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
    if (cells.length != 2 * groups) throw new IllegalArgumentException("expected " + 2 * groups + " cells, got " + cells.length);
    this.constraint = constraint;
    this.groups = groups;
    this.tolerance = tolerance;
    this.bound = 1 / tolerance;
    this.cells = cells.clone();
    int k = moments();
    this.theta = new double[2 * k];
  }

  /** The index of a cell. */
  public static int cell(boolean positive, int group, int groups) {
    return (positive ? 1 : 0) * groups + group;
  }

  private int moments() {
    return constraint == Constraint.DEMOGRAPHIC_PARITY ? groups : 2 * groups;
  }

  /** The multipliers of the 2K signed constraints now. */
  public double[] lambda() {
    double sum = 1;
    for (double t : theta) sum += Math.exp(t);
    double[] l = new double[theta.length];
    for (int i = 0; i < l.length; i++) l[i] = bound * Math.exp(theta[i]) / sum;
    return l;
  }

  /**
   * The next best response's classification problem, per cell: the weight of its rows (scaled
   * so that they add up to the number of rows) and their working label (predicting positive
   * costs less than negative).
   */
  public record Costs(double[] weights, double[] labels) {}

  public Costs costs() {
    double n = Arrays.stream(cells).sum();
    double[] l = lambda();
    int k = moments();
    double[] signed = new double[k];
    for (int m = 0; m < k; m++) signed[m] = l[m] - l[k + m];
    double[] c = new double[cells.length];
    for (int y = 0; y <= 1; y++) {
      for (int g = 0; g < groups; g++) {
        int at = y * groups + g;
        double cost = (1 - 2 * y) / n; // the error: predicting positive is wrong for y = 0
        if (constraint == Constraint.DEMOGRAPHIC_PARITY) {
          double ng = cells[g] + cells[groups + g];
          double all = 0;
          for (int h = 0; h < groups; h++) all += signed[h];
          cost += (ng > 0 ? signed[g] / ng : 0) - all / n;
        } else {
          double ny = 0;
          double all = 0;
          for (int h = 0; h < groups; h++) {
            ny += cells[y * groups + h];
            all += signed[y * groups + h];
          }
          cost += (cells[at] > 0 ? signed[at] / cells[at] : 0) - (ny > 0 ? all / ny : 0);
        }
        c[at] = cost;
      }
    }
    double total = 0;
    for (int i = 0; i < c.length; i++) total += cells[i] * Math.abs(c[i]);
    double[] w = new double[c.length];
    double[] z = new double[c.length];
    for (int i = 0; i < c.length; i++) {
      w[i] = total > 0 ? n * Math.abs(c[i]) / total : 1;
      z[i] = c[i] < 0 ? 1 : 0;
    }
    return new Costs(w, z);
  }

  /** The moments of a classifier from its predicted-positive rows per cell. */
  public double[] gamma(double[] predictedPositive) {
    if (predictedPositive.length != cells.length) throw new IllegalArgumentException("expected " + cells.length + " cells");
    double n = Arrays.stream(cells).sum();
    double all = Arrays.stream(predictedPositive).sum();
    double[] gamma = new double[moments()];
    if (constraint == Constraint.DEMOGRAPHIC_PARITY) {
      for (int g = 0; g < groups; g++) {
        double ng = cells[g] + cells[groups + g];
        gamma[g] = ng > 0 ? (predictedPositive[g] + predictedPositive[groups + g]) / ng - all / n : 0;
      }
    } else {
      for (int y = 0; y <= 1; y++) {
        double ny = 0;
        double py = 0;
        for (int h = 0; h < groups; h++) {
          ny += cells[y * groups + h];
          py += predictedPositive[y * groups + h];
        }
        for (int g = 0; g < groups; g++) {
          int at = y * groups + g;
          gamma[at] = cells[at] > 0 && ny > 0 ? predictedPositive[at] / cells[at] - py / ny : 0;
        }
      }
    }
    return gamma;
  }

  /** A classifier's training error from its predicted-positive rows per cell: positives it missed and negatives it took. */
  public double error(double[] predictedPositive) {
    double n = Arrays.stream(cells).sum();
    double wrong = 0;
    for (int g = 0; g < groups; g++) wrong += predictedPositive[g] + (cells[groups + g] - predictedPositive[groups + g]);
    return wrong / n;
  }

  /** Feeds the last best response's predicted-positive rows per cell: the multipliers move towards its violations. */
  public void update(double[] predictedPositive) {
    double[] gamma = gamma(predictedPositive);
    int k = gamma.length;
    double eta = ETA0 / bound;
    for (int m = 0; m < k; m++) {
      theta[m] += eta * (gamma[m] - tolerance);
      theta[k + m] += eta * (-gamma[m] - tolerance);
    }
    gammas.add(gamma);
    errors.add(error(predictedPositive));
  }

  /** The weight of each classifier fed so far in the randomised classifier. */
  public double[] mixtureWeights() {
    double[][] signed = new double[gammas.size()][];
    for (int t = 0; t < signed.length; t++) {
      double[] g = gammas.get(t);
      signed[t] = new double[2 * g.length];
      for (int m = 0; m < g.length; m++) {
        signed[t][m] = g[m];
        signed[t][g.length + m] = -g[m];
      }
    }
    return MixtureProgram.solve(errors.stream().mapToDouble(Double::doubleValue).toArray(), signed, tolerance, bound);
  }

  /** The moments of a mixture with these weights (moments are linear in the classifier). */
  public double[] mixtureGamma(double[] weights) {
    double[] out = new double[gammas.get(0).length];
    for (int t = 0; t < weights.length; t++) for (int m = 0; m < out.length; m++) out[m] += weights[t] * gammas.get(t)[m];
    return out;
  }

  /** The training error of a mixture with these weights. */
  public double mixtureError(double[] weights) {
    double e = 0;
    for (int t = 0; t < weights.length; t++) e += weights[t] * errors.get(t);
    return e;
  }

  public int iterations() {
    return gammas.size();
  }
}
