package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.NoiseComponentSpec;
import org.consilium.analytics.dp.SkellamAccountant;

/**
 * The noise of a DP training job, decided before any data is seen: the training releases (for
 * a logistic regression the row count once and the clipped gradient sum per round; for an EBM
 * the bin counts once and the residual sums per bin per boosting step), then at the evaluation
 * the score histograms (sensitivity 1), the groups' confusion cells (1) and, with mitigation,
 * the groups' score histograms (1). Weights give each training step the same share as the whole
 * evaluation histogram, and the counts and fairness cells the shares their stages declare; one
 * calibration ({@link SkellamAccountant}) meets the job's (epsilon, delta) over all of them.
 */
final class DpTrainingPlan {
  static final double HISTOGRAM_WEIGHT = 1.0;
  static final double CELLS_WEIGHT = 0.25;
  static final double GROUP_HISTOGRAM_WEIGHT = 0.25;

  /** A training release repeated times times, with its sensitivities in data units and its budget weight per release. */
  record Stage(String name, double l1, double l2, int times, double weight) {}

  private final List<Stage> stages;
  private final double[] stageMu;
  /** Per evaluation component (index as {@link Evaluation#componentOf}): 0 none, 1 histogram, 2 cells, 3 group histograms. */
  final double[] evaluationMu = new double[4];
  private final SkellamAccountant.Spent spent;
  private final double delta;
  private final double unit;
  private final String mechanism;

  DpTrainingPlan(List<Stage> stages, double unit, boolean histogram, boolean groups, boolean mitigate, double epsilon, double delta,
      String mechanism) {
    this.stages = List.copyOf(stages);
    this.unit = unit;
    this.delta = delta;
    this.mechanism = mechanism;
    List<NoiseComponentSpec> comps = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    for (Stage s : stages) {
      for (int r = 0; r < s.times(); r++) {
        comps.add(new NoiseComponentSpec(s.name(), s.l1() * unit, s.l2() * unit));
        weights.add(s.weight());
      }
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
    stageMu = new double[stages.size()];
    for (int s = 0, at = 0; s < stages.size(); at += stages.get(s).times(), s++) stageMu[s] = mu[at];
    for (int k = 1; k < 4; k++) evaluationMu[k] = evalIndex[k] < 0 ? 0 : mu[evalIndex[k]];
    spent = c.spent();
  }

  /** The aggregate mu of each release of a training stage (index in the order given). */
  double mu(int stage) {
    return stageMu[stage];
  }

  /** The standard deviation, in data units, of a training stage's release from contributors out of threshold. */
  double stddev(int stage, int contributors, int threshold) {
    return Accounting.stddev(stageMu[stage], unit, contributors, threshold);
  }

  /** Standard deviations of the released evaluation noise per component, in counts, from contributors out of threshold. */
  double[] evaluationStddev(int contributors, int threshold) {
    double[] sd = new double[4];
    for (int k = 0; k < 4; k++) sd[k] = Accounting.stddev(evaluationMu[k], unit, contributors, threshold);
    return sd;
  }

  /** What the job spends and how each released component is noised. */
  Accounting accounting() {
    List<Accounting.Component> released = new ArrayList<>();
    for (int s = 0; s < stages.size(); s++) {
      Stage st = stages.get(s);
      released.add(new Accounting.Component(st.name() + " (x" + st.times() + ")", st.l1() * unit, st.l2() * unit, stageMu[s], unit));
    }
    String[] names = {"", "score histogram (per bin, per site)", "group confusion cells", "group score histograms"};
    for (int k = 1; k < 4; k++) if (evaluationMu[k] > 0) released.add(new Accounting.Component(names[k], 0, 0, evaluationMu[k], unit));
    return Accounting.noisy(mechanism, released, spent, delta);
  }
}
