package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.fairness.ExponentiatedGradient;
import org.consilium.analytics.fairness.Fairness;
import org.consilium.analytics.dp.Release;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.FairnessReport;
import org.consilium.analytics.wire.MitigationResult;
import org.consilium.analytics.wire.MixtureComponent;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;

/**
 * The reductions phase of a training job with EXPONENTIATED_GRADIENT_* mitigation, after the
 * unconstrained model (its first classifier) is trained and evaluated: CELLS counts the training
 * rows per (label, group) cell; then, per iteration, RATES of the last classifier moves the
 * multipliers ({@link ExponentiatedGradient}) and weighted NEWTON rounds fit the next classifier
 * (each row weighted and relabelled by its cell only); the mixture's weights are chosen over the
 * classifiers found from their training errors and moments (known from RATES); finally MIXTURE
 * evaluates the randomised classifier per group on the evaluation rows. Every step is a secure sum; the coordinator sees
 * counts per cell and the usual Newton sums. Exact training only.
 */
final class Reductions {
  static final double DEFAULT_TOLERANCE = 0.05;
  static final int DEFAULT_ITERATIONS = 10;
  static final int MAX_ITERATIONS = 50;
  /** Newton rounds per classifier at most (each is a secure aggregation at every site), and step halvings per round. */
  static final int MAX_FIT_ROUNDS = 12;
  private static final int MAX_HALVINGS = 8;
  private final TrainSpec spec;
  private final FeatureSpace features;
  private final GlmNewton glm;
  private final double[][] groupValues;
  private final List<String> groupLabels;
  private final ExponentiatedGradient.Constraint constraint;
  private final double tolerance;
  private final int iterations;
  private final boolean dp;

  Reductions(TrainSpec spec, FeatureSpace features, GlmNewton glm, double[][] groupValues, List<String> groupLabels, boolean dp) {
    this.spec = spec;
    this.dp = dp;
    this.features = features;
    this.glm = glm;
    this.groupValues = groupValues;
    this.groupLabels = List.copyOf(groupLabels);
    this.constraint = spec.getMitigation() == TrainSpec.Mitigation.EXPONENTIATED_GRADIENT_EQUALIZED_ODDS
        ? ExponentiatedGradient.Constraint.EQUALIZED_ODDS : ExponentiatedGradient.Constraint.DEMOGRAPHIC_PARITY;
    this.tolerance = spec.getReduction().getTolerance() == 0 ? DEFAULT_TOLERANCE : spec.getReduction().getTolerance();
    this.iterations = spec.getReduction().getIterations() == 0 ? DEFAULT_ITERATIONS : spec.getReduction().getIterations();
    if (!(tolerance > 0 && tolerance < 1)) throw new InvalidSpecException("train.reduction.tolerance", "must be in (0, 1), got " + tolerance);
    if (iterations < 2 || iterations > MAX_ITERATIONS) {
      throw new InvalidSpecException("train.reduction.iterations", "must be 2.." + MAX_ITERATIONS + ", got " + iterations);
    }
    if (groupLabels.size() < 2) throw new InvalidSpecException("train.sensitive_features", "exponentiated gradient needs at least 2 groups");
  }

  int iterations() {
    return iterations;
  }

  static boolean applies(TrainSpec spec) {
    return spec.getMitigation() == TrainSpec.Mitigation.EXPONENTIATED_GRADIENT_DEMOGRAPHIC_PARITY
        || spec.getMitigation() == TrainSpec.Mitigation.EXPONENTIATED_GRADIENT_EQUALIZED_ODDS;
  }

  private int cells() {
    return 2 * groupLabels.size();
  }

  int vectorLength(StepStart.Kind kind) {
    return switch (kind) {
      case CELLS, RATES -> cells();
      case MIXTURE -> 4 * (groupLabels.size() + 1);
      default -> throw new IllegalArgumentException("no reductions step " + kind);
    };
  }

  // ---------- a node's local steps ----------

  /** Each training row's cell, or -1 when it is in no declared group (such rows take no part in the reduction). */
  private int[] cellOf(Dataset data, FeatureSpace.Rows rows) {
    int[] cols = spec.getSensitiveFeaturesList().stream().mapToInt(f -> data.requireColumn(f.getColumn())).toArray();
    int[] out = new int[rows.size()];
    for (int i = 0; i < out.length; i++) {
      int g = SensitiveGroups.index(groupValues, data, rows.rowIndex()[i], cols);
      out[i] = g < 0 ? -1 : ExponentiatedGradient.cell(rows.y()[i] > 0.5, g, groupLabels.size());
    }
    return out;
  }

  double[] cellCounts(Dataset data, FeatureSpace.Rows training) {
    double[] out = new double[cells()];
    for (int c : cellOf(data, training)) if (c >= 0) out[c]++;
    return out;
  }

  /** Rows predicted positive (score at least 0.5) at beta, per cell. */
  double[] rates(Dataset data, FeatureSpace.Rows training, double[] beta) {
    double[] out = new double[cells()];
    int[] cell = cellOf(data, training);
    for (int i = 0; i < cell.length; i++) if (cell[i] >= 0 && glm.predict(training.x()[i], beta) >= 0.5) out[cell[i]]++;
    return out;
  }

  /** A weighted Newton step: each row relabelled and weighted by its cell's cost (rows in no group weigh 0). */
  double[] weightedNewton(Dataset data, FeatureSpace.Rows training, StepStart step, double[] beta) {
    double[][] wl = cellWeightsAndLabels(data, training, step);
    return glm.localStep(new FeatureSpace.Rows(training.x(), wl[1]), beta, wl[0]);
  }

  /** Each training row's weight and working label from its cell (rows in no group weigh 0). */
  private double[][] cellWeightsAndLabels(Dataset data, FeatureSpace.Rows training, StepStart step) {
    if (step.getCellWeightsCount() != cells() || step.getCellLabelsCount() != cells()) {
      throw new IllegalArgumentException("a reductions step carries " + cells() + " cell weights and labels");
    }
    int[] cell = cellOf(data, training);
    double[] weights = new double[cell.length];
    double[] labels = new double[cell.length];
    for (int i = 0; i < cell.length; i++) {
      if (cell[i] < 0) continue;
      weights[i] = step.getCellWeights(cell[i]);
      labels[i] = step.getCellLabels(cell[i]);
    }
    return new double[][] {weights, labels};
  }

  /** DP: a clipped gradient round of the same weighted, relabelled problem (each example within C whatever its weight). */
  double[] weightedGradient(Dataset data, FeatureSpace.Rows training, StepStart step, double[] beta, GlmGradient gradient) {
    double[][] wl = cellWeightsAndLabels(data, training, step);
    return gradient.localStep(new FeatureSpace.Rows(training.x(), wl[1]), beta, wl[0]);
  }

  /**
   * Per group, then overall, the mixture's expected confusion cells (TP, FP, FN, TN) on the
   * evaluation rows: a row counts P(positive) = the share of components whose score is at least 0.5.
   */
  double[] mixture(Dataset data, FeatureSpace.Rows rows, StepStart step) {
    int width = features.width();
    if (step.getMixtureCount() == 0 || step.getMixtureCount() % width != 0) {
      throw new IllegalArgumentException("a MIXTURE step carries the components' coefficients, " + width + " each");
    }
    int k = step.getMixtureCount() / width;
    if (step.getMixtureWeightsCount() != k) throw new IllegalArgumentException("a MIXTURE step carries one weight per component");
    double[][] betas = new double[k][];
    for (int c = 0; c < k; c++) betas[c] = step.getMixtureList().subList(c * width, (c + 1) * width).stream().mapToDouble(Double::doubleValue).toArray();
    int[] cols = spec.getSensitiveFeaturesList().stream().mapToInt(f -> data.requireColumn(f.getColumn())).toArray();
    int overall = groupLabels.size();
    double[] out = new double[vectorLength(StepStart.Kind.MIXTURE)];
    for (int i = 0; i < rows.size(); i++) {
      double p = 0;
      for (int c = 0; c < k; c++) if (glm.predict(rows.x()[i], betas[c]) >= 0.5) p += step.getMixtureWeights(c);
      // Under DP each record's p is put on the encoding's grid (1/256), so the sums need no rounding when encoded and one
      // record moves the released cells by exactly its p and 1 - p: the declared sensitivity, with no rounding on top.
      if (dp) p = Math.min(1, Math.max(0, Math.rint(p * SumEncoding.NOISY.scale()) / SumEncoding.NOISY.scale()));
      boolean actual = rows.y()[i] > 0.5;
      int g = SensitiveGroups.index(groupValues, data, rows.rowIndex()[i], cols);
      for (int block : g < 0 ? new int[] {overall} : new int[] {g, overall}) {
        int at = 4 * block;
        out[at + (actual ? 0 : 1)] += p;
        out[at + (actual ? 2 : 3)] += 1 - p;
      }
    }
    return out;
  }

  // ---------- the coordinator's side ----------

  /** Drives the phase from the unconstrained model (its coefficients are the first classifier) to the mixture. */
  final class Driver {
    private final TrainedModel unconstrained;
    private final StepStart base;
    private final int maxRounds;
    private final double stop;
    private final List<double[]> classifiers = new ArrayList<>();
    private final List<TrainingRound> rounds = new ArrayList<>();
    private ExponentiatedGradient eg;
    private double[] weights;
    private double[] beta;
    private int newtonRounds;
    /** The last accepted point of this fit and its penalised loss (backtracking when a step made it worse). */
    private double[] accepted;
    private double acceptedLoss;
    private int halvings;
    private StepStart current;

    /** DP: the clipped gradient descent each classifier is fitted by (null: exact, by Newton), and the noisy cell counts. */
    private final GlmGradient noisyFit;
    /** DP: the mixture cells' noise standard deviation from so many contributors. */
    private final java.util.function.IntToDoubleFunction mixtureStddev;
    private double[] noisyCells;
    private int gradientRounds;

    /**
     * base: a step with the model's scaling (means and scales); maxRounds and stop: each fit's
     * Newton limit and tolerance (under DP: its fixed number of gradient rounds); noisyFit: the DP
     * gradient descent, or null for an exact job.
     */
    Driver(TrainedModel unconstrained, StepStart base, int maxRounds, double stop, GlmGradient noisyFit,
        java.util.function.IntToDoubleFunction mixtureStddev) {
      this.unconstrained = unconstrained;
      this.mixtureStddev = mixtureStddev;
      this.base = base;
      this.noisyFit = noisyFit;
      this.maxRounds = noisyFit != null ? maxRounds : Math.min(maxRounds, MAX_FIT_ROUNDS);
      this.stop = stop;
      this.beta = unconstrained.getCoefficientsList().stream().mapToDouble(c -> c.getValue()).toArray();
      classifiers.add(beta);
      current = step(StepStart.Kind.CELLS);
    }

    StepStart current() {
      return current;
    }

    List<TrainingRound> rounds() {
      return List.copyOf(rounds);
    }

    /** Feeds the current step's decoded sums; returns the model with its mitigation when the phase is done, else null. */
    TrainedModel onAggregate(double[] sums, List<String> contributors) {
      switch (current.getKind()) {
        case CELLS -> {
          if (noisyFit != null) {
            // Noisy counts: at least one row per cell (the multipliers divide by them); post-processing, no budget.
            noisyCells = Arrays.stream(sums).map(c -> Math.max(1, Math.rint(c))).toArray();
            sums = noisyCells;
          }
          eg = new ExponentiatedGradient(constraint, groupLabels.size(), tolerance, sums);
          current = step(StepStart.Kind.RATES);
        }
        case RATES -> {
          // Under DP a noisy rate is kept within [0, its cell's count].
          if (noisyFit != null) for (int c = 0; c < sums.length; c++) sums[c] = Math.min(noisyCells[c], Math.max(0, Math.rint(sums[c])));
          eg.update(sums);
          if (eg.iterations() == iterations) {
            weights = eg.mixtureWeights();
            StepStart.Builder m = step(StepStart.Kind.MIXTURE).toBuilder();
            for (int c = 0; c < classifiers.size(); c++) {
              if (weights[c] <= 0) continue;
              Arrays.stream(classifiers.get(c)).forEach(m::addMixture);
              m.addMixtureWeights(weights[c]);
            }
            current = m.build();
          } else {
            newtonRounds = 0;
            gradientRounds = 0;
            accepted = null;
            current = noisyFit != null ? weightedStep(StepStart.Kind.GRADIENT) : newton();
          }
        }
        case GRADIENT -> {
          // DP: the weighted gradient divided by the cells' total weight (from the noisy counts: post-processing).
          double total = 0;
          for (int c = 0; c < noisyCells.length; c++) total += current.getCellWeights(c) * noisyCells[c];
          sums[0] = Math.max(total, 1);
          GlmNewton.Update u = noisyFit.combine(sums, beta);
          beta = u.beta();
          rounds.add(TrainingRound.newBuilder().setRound(rounds.size() + 1).setLoss(Double.NaN).setGradientNorm(u.gradientNorm())
              .setMaxChange(u.maxChange()).addAllParticipants(contributors).build());
          if (++gradientRounds >= maxRounds) {
            classifiers.add(beta);
            current = step(StepStart.Kind.RATES);
          } else {
            current = weightedStep(StepStart.Kind.GRADIENT);
          }
        }
        case NEWTON -> {
          newtonRounds++;
          double loss = glm.penalisedLoss(sums, beta);
          if (accepted != null && loss > acceptedLoss * (1 + 1e-12) && halvings < MAX_HALVINGS && newtonRounds < maxRounds) {
            // The relabelled problem can be nearly separable, where a full Newton step overshoots: go half way back and look again.
            for (int j = 0; j < beta.length; j++) beta[j] = (beta[j] + accepted[j]) / 2;
            halvings++;
            current = newton();
            return null;
          }
          accepted = beta.clone();
          acceptedLoss = loss;
          halvings = 0;
          GlmNewton.Update u = glm.combine(sums, beta);
          rounds.add(TrainingRound.newBuilder().setRound(rounds.size() + 1).setLoss(u.loss()).setGradientNorm(u.gradientNorm())
              .setMaxChange(u.maxChange()).addAllParticipants(contributors).build());
          if (u.maxChange() < stop || newtonRounds >= maxRounds) {
            classifiers.add(beta);
            current = step(StepStart.Kind.RATES);
          } else {
            beta = u.beta();
            current = newton();
          }
        }
        case MIXTURE -> {
          return unconstrained.toBuilder().setMitigation(result(sums, noisyFit == null ? 0 : mixtureStddev.applyAsDouble(contributors.size())))
              .build();
        }
        default -> throw new IllegalStateException("no reductions step " + current.getKind());
      }
      return null;
    }

    private StepStart newton() {
      return weightedStep(StepStart.Kind.NEWTON);
    }

    /**
     * A step of the cost-sensitive fit: the cells' weights and working labels. Under DP the
     * weights are scaled to at most 1 (the minimiser is the same), so a weighted, clipped example
     * stays within the clip norm and the gradient's scale matches the unweighted rounds'.
     */
    private StepStart weightedStep(StepStart.Kind kind) {
      ExponentiatedGradient.Costs costs = eg.costs();
      double[] w = costs.weights();
      double max = Arrays.stream(w).max().orElse(1);
      StepStart.Builder b = step(kind).toBuilder();
      Arrays.stream(w).map(x -> noisyFit != null && max > 0 ? x / max : x).forEach(b::addCellWeights);
      Arrays.stream(costs.labels()).forEach(b::addCellLabels);
      return b.build();
    }

    private StepStart step(StepStart.Kind kind) {
      StepStart.Builder b = base.toBuilder().setKind(kind).clearBeta();
      Arrays.stream(beta).forEach(b::addBeta);
      return b.build();
    }

    /** The mitigation's report from the mixture's cells; under DP (stddev > 0) its gaps carry 95% intervals over the known noise. */
    private MitigationResult result(double[] raw, double stddev) {
      double[] sums = noisyFit != null ? Arrays.stream(raw).map(c -> Math.max(0, c)).toArray() : raw; // noisy cells, never below 0
      List<String> sensitive = spec.getSensitiveFeaturesList().stream().map(f -> f.getColumn()).toList();
      double minGroup = spec.getMinGroupSize() == 0 ? 10 : spec.getMinGroupSize();
      java.util.function.Function<double[], FairnessReport> report = cells -> {
        List<Fairness.Confusion> groups = new ArrayList<>();
        for (int g = 0; g < groupLabels.size(); g++) {
          groups.add(new Fairness.Confusion(groupLabels.get(g), Math.max(0, cells[4 * g]), Math.max(0, cells[4 * g + 1]),
              Math.max(0, cells[4 * g + 2]), Math.max(0, cells[4 * g + 3])));
        }
        return Fairness.report(sensitive, groups, minGroup, spec.getBiasAudit());
      };
      FairnessReport after = report.apply(sums);
      if (stddev > 0) {
        double[] cells = Arrays.copyOf(raw, 4 * groupLabels.size());
        double[] sds = new double[cells.length];
        Arrays.fill(sds, stddev);
        after = after.toBuilder()
            .setDemographicParityDifferenceInterval(Release.bootstrap(cells, sds, d -> report.apply(d).getDemographicParityDifference()))
            .setEqualizedOddsDifferenceInterval(Release.bootstrap(cells, sds, d -> report.apply(d).getEqualizedOddsDifference())).build();
      }
      int o = 4 * groupLabels.size();
      double total = sums[o] + sums[o + 1] + sums[o + 2] + sums[o + 3];
      double violation = Arrays.stream(eg.mixtureGamma(weights)).map(Math::abs).max().orElse(0);
      MitigationResult.Builder r = MitigationResult.newBuilder()
          .setMethod(String.format(Locale.ROOT, "ExponentiatedGradient (Agarwal et al. 2018) for %s within +-%.3g over %d classifiers: "
              + "each record is decided by one of them drawn with its probability, positive when its score is at least 0.5",
              constraint == ExponentiatedGradient.Constraint.EQUALIZED_ODDS ? "equalized odds" : "demographic parity", tolerance, classifiers.size()))
          .setAfter(after)
          .setAccuracyBefore(unconstrained.getAccuracy())
          .setAccuracyAfter(total > 0 ? (sums[o] + sums[o + 3]) / total : Double.NaN)
          .setTrainingViolation(violation);
      for (int k = 0; k < classifiers.size(); k++) {
        if (weights[k] <= 0) continue;
        MixtureComponent.Builder c = MixtureComponent.newBuilder().setProbability(weights[k]);
        Arrays.stream(classifiers.get(k)).forEach(c::addCoefficients);
        r.addMixture(c);
      }
      return r.build();
    }
  }
}
