package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.NoiseComponentSpec;
import org.consilium.analytics.dp.SkellamAccountant;

/**
 * The noise of a DP training job, decided before any data is seen. Features are scaled by the
 * dictionary's public bounds to [-1, 1], so a design row has norm at most sqrt(width) and a
 * per-example gradient (residual times row) is small: each is clipped to norm C (default 1,
 * which few examples reach once features are on that scale), and C sets the gradient's noise.
 *
 * <p>What is released, add/remove one record: the row count once (first gradient round,
 * sensitivity 1), the clipped gradient sum in each of T rounds (C in l2), and at the
 * evaluation the score histograms (1), the groups' confusion cells (1) and, with mitigation,
 * the groups' score histograms (1). Losses and per-round counts are not released under DP:
 * the budget goes where it buys accuracy. Weights give each gradient round the same share as
 * the whole evaluation histogram, and the count and fairness cells small shares; one
 * calibration ({@link SkellamAccountant}) meets the job's (epsilon, delta) over all of them.
 */
final class DpTrainingPlan {
  static final double ROWS_WEIGHT = 0.1;
  static final double HISTOGRAM_WEIGHT = 1.0;
  static final double CELLS_WEIGHT = 0.25;
  static final double GROUP_HISTOGRAM_WEIGHT = 0.25;

  final int rounds;
  final double rowsMu;
  final double gradientMu;
  /** Per evaluation component (index as {@link Evaluation#componentOf}): 0 none, 1 histogram, 2 cells, 3 group histograms. */
  final double[] evaluationMu = new double[4];
  final SkellamAccountant.Spent spent;
  final double delta;
  private final double unit;

  DpTrainingPlan(int rounds, int width, double clip, double unit, boolean histogram, boolean groups, boolean mitigate,
      double epsilon, double delta) {
    this.rounds = rounds;
    this.unit = unit;
    this.delta = delta;
    List<NoiseComponentSpec> comps = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    comps.add(new NoiseComponentSpec("rows", unit, unit));
    weights.add(ROWS_WEIGHT);
    for (int r = 0; r < rounds; r++) {
      comps.add(new NoiseComponentSpec("gradient", Math.sqrt(width) * clip * unit, clip * unit));
      weights.add(1.0);
    }
    int[] evalIndex = {-1, -1, -1, -1};
    if (histogram) {
      evalIndex[1] = comps.size();
      comps.add(new NoiseComponentSpec("score histogram", unit, unit));
      weights.add(HISTOGRAM_WEIGHT);
    }
    if (groups) {
      evalIndex[2] = comps.size();
      comps.add(new NoiseComponentSpec("group confusion cells", unit, unit));
      weights.add(CELLS_WEIGHT);
    }
    if (mitigate) {
      evalIndex[3] = comps.size();
      comps.add(new NoiseComponentSpec("group score histograms", unit, unit));
      weights.add(GROUP_HISTOGRAM_WEIGHT);
    }
    SkellamAccountant.Calibration c = SkellamAccountant.calibrate(comps, weights.stream().mapToDouble(Double::doubleValue).toArray(),
        epsilon, delta);
    double[] mu = c.mu();
    rowsMu = mu[0];
    gradientMu = mu[1];
    for (int k = 1; k < 4; k++) evaluationMu[k] = evalIndex[k] < 0 ? 0 : mu[evalIndex[k]];
    spent = c.spent();
  }

  /** Standard deviations of the released evaluation noise per component, in counts, from contributors out of threshold. */
  double[] evaluationStddev(int contributors, int threshold) {
    double[] sd = new double[4];
    for (int k = 0; k < 4; k++) sd[k] = Accounting.stddev(evaluationMu[k], unit, contributors, threshold);
    return sd;
  }

  /** What the job spends and how each released component is noised (the gradient per round, the row count once). */
  Accounting accounting() {
    List<Accounting.Component> released = new ArrayList<>();
    released.add(new Accounting.Component("gradient (per round, per coordinate)", 0, 0, gradientMu, unit));
    released.add(new Accounting.Component("row count (once)", 0, 0, rowsMu, unit));
    String[] names = {"", "score histogram (per bin, per site)", "group confusion cells", "group score histograms"};
    for (int k = 1; k < 4; k++) if (evaluationMu[k] > 0) released.add(new Accounting.Component(names[k], 0, 0, evaluationMu[k], unit));
    return Accounting.noisy("distributed Skellam over " + rounds + " clipped gradient rounds, one row count and one evaluation round; "
        + "features scaled by the data dictionary's public bounds", released, spent, delta);
  }
}
