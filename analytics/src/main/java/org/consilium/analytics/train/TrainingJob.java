package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.ColumnDefinition;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.wire.Condition;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.Coefficient;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;
import org.consilium.mpc.ring.RingVector;

/**
 * A training job as a sequence of aggregations, shared by nodes (local steps) and coordinator
 * (the driver). Exact training: the moments of the numeric features, then Newton or gradient
 * rounds until the coefficients settle, then an evaluation round of score histograms and the
 * importance round. DP training: numeric features scaled by the data dictionary's public bounds
 * (no data-dependent preprocessing), exactly max_rounds gradient rounds (default 5) and one
 * evaluation round, every vector carrying each node's share of Skellam noise; the (epsilon,
 * delta) target of the whole job sets the noise of all of them ({@link DpTrainingPlan}).
 */
public final class TrainingJob {
  public static final int MODEL_VERSION = 2;
  /** Score-histogram bins: fine for exact evaluation, coarse under DP where every bin is noised. */
  private static final int EXACT_BINS = ScoreHistogram.BINS;
  /**
   * Under DP every bin carries noise of the same size, so fewer bins mean less noise in every
   * total: 4 (0.5 stays an edge, for accuracy) cut the AUC's error by a third against 10 at the
   * hospitals' held-out size, and never left a class empty.
   */
  static final int DP_BINS = 4;
  /** The row count's budget weight against one gradient round's 1. */
  private static final double ROWS_WEIGHT = 0.1;
  /**
   * Exponentiated gradient's cell and rate counts weigh 8 gradient rounds each: they steer the
   * multipliers and the mixture's linear program. Measured by the reductions benchmark (heart,
   * 5 iterations, 20 runs, mean / worst true gap after at epsilon 1): weight 0.5 0.152 / 0.374,
   * 2 0.130 / 0.300, 8 0.107 / 0.254, 16 0.120 / 0.233, 32 0.140 / 0.313.
   */
  private static final double REDUCTION_COUNTS_WEIGHT = 8;
  /**
   * DP defaults, measured by the DP training benchmark on the four hospitals (see the README):
   * 5 rounds, gradient norm bound 1 on the [-1, 1] feature scale (a residual times a row norm
   * rarely exceeds it, and it sets the noise), step 2 on the mean gradient.
   */
  private static final int DP_ROUNDS = 5;
  static final double DP_CLIP = 1.0;
  private static final double DP_RATE = 2.0;
  private final int bins;
  private final TrainSpec spec;
  private final FeatureSpace features;
  private final boolean dp;
  private final boolean newton;
  private final GlmNewton glm;
  private final GlmGradient gradient;
  private final SumEncoding encoding;
  private final int maxRounds;
  private final DpTrainingPlan plan;
  private final Standardization bounds;
  private final Evaluation evaluation;
  /** The exponentiated-gradient phase, or null without EXPONENTIATED_GRADIENT_* mitigation. */
  private final Reductions reductions;

  /** sites is the number of participating sites (each fills its own block of the evaluation). */
  public TrainingJob(TrainSpec spec, DatasetDictionary dictionary, double epsilon, double delta, int sites) {
    this.spec = spec;
    this.features = FeatureSpace.of(spec);
    this.dp = !Double.isInfinite(epsilon);
    this.bins = dp ? DP_BINS : EXACT_BINS;
    double[] lower = new double[spec.getNumericFeaturesCount()];
    double[] upper = new double[lower.length];
    for (int j = 0; j < lower.length; j++) {
      var c = dictionary.column(spec.getNumericFeatures(j), "train.numeric_features");
      lower[j] = c.lower();
      upper[j] = c.upper();
    }
    this.bounds = Standardization.bounded(lower, upper);
    dictionary.column(spec.getTarget(), "train.target");
    SensitiveGroups.checkCodes(dictionary, spec.getCategoricalFeaturesList(), "train.categorical_features");
    SensitiveGroups.checkCodes(dictionary, spec.getSensitiveFeaturesList(), "train.sensitive_features");
    spec.getEvaluationRowsList().forEach(c -> dictionary.column(c.getColumn(), "train.evaluation_rows"));
    org.consilium.analytics.data.Cohort.validate(spec.getEvaluationRowsList());
    if (spec.getEvaluationRowsCount() > 0 && spec.getHoldoutFraction() > 0) {
      throw new InvalidSpecException("train.evaluation_rows", "declare either evaluation_rows or holdout_fraction, not both");
    }
    List<String> groupLabels = new ArrayList<>();
    double[][] groupValues = SensitiveGroups.of(spec, dictionary, groupLabels);
    boolean mitigate = spec.getMitigation() != TrainSpec.Mitigation.NO_MITIGATION;
    if (spec.getMitigation() == TrainSpec.Mitigation.UNRECOGNIZED) throw new InvalidSpecException("train.mitigation", "unknown mitigation");
    if (mitigate && (groupLabels.isEmpty() || spec.getModel() != TrainSpec.Model.LOGISTIC)) {
      throw new InvalidSpecException("train.mitigation", "threshold mitigation needs a logistic model and sensitive features");
    }
    if (spec.hasBiasAudit() && groupLabels.isEmpty()) {
      throw new InvalidSpecException("train.bias_audit", "a bias audit needs sensitive features");
    }
    try {
      org.consilium.analytics.fairness.BiasAudit.checkSpec(spec.getBiasAudit(), groupLabels);
    } catch (IllegalArgumentException e) {
      throw new InvalidSpecException("train.bias_audit", e.getMessage());
    }
    if (dp && spec.getMissing() != TrainSpec.MissingPolicy.DROP_ROWS) {
      throw new InvalidSpecException("train.missing", "DP training needs DROP_ROWS (a DP imputation mean is not built)");
    }
    if (dp && spec.getOptimizer() == TrainSpec.Optimizer.NEWTON) {
      throw new InvalidSpecException("train.optimizer", "DP training uses gradient descent (a DP Hessian is not built)");
    }
    if (sites < 1) throw new IllegalArgumentException("a training job needs at least one site, got " + sites);
    this.newton = !dp && (spec.getOptimizer() == TrainSpec.Optimizer.NEWTON
        || (spec.getOptimizer() == TrainSpec.Optimizer.AUTO && features.width() <= 100));
    this.maxRounds = spec.getMaxRounds() == 0 ? (newton ? 25 : dp ? DP_ROUNDS : 500) : spec.getMaxRounds();
    if (dp && maxRounds > 100) throw new InvalidSpecException("train.max_rounds", "DP training runs at most 100 rounds, got " + maxRounds);
    double clip = dp ? (spec.getClipNorm() == 0 ? DP_CLIP : spec.getClipNorm()) : Double.POSITIVE_INFINITY;
    if (!(clip > 0)) throw new InvalidSpecException("train.clip_norm", "must be positive, got " + clip);
    this.glm = new GlmNewton(spec.getModel(), features.width(), spec.getL2());
    double rate = spec.getLearningRate() == 0 ? (dp ? DP_RATE : 1.0) : spec.getLearningRate();
    if (!(rate > 0) || Double.isInfinite(rate)) throw new InvalidSpecException("train.learning_rate", "must be positive, got " + rate);
    // Under DP each example is clipped short of C by the encoding's rounding (up to one unit per coordinate at each
    // node), so that one record moves the encoded sum by at most the C the accounting declares.
    double rounding = dp ? Math.sqrt(features.width()) / SumEncoding.NOISY.scale() : 0;
    if (!(clip > 2 * rounding)) throw new InvalidSpecException("train.clip_norm", "must exceed " + 2 * rounding + " (twice the encoding's rounding), got " + clip);
    this.gradient = new GlmGradient(spec.getModel(), features.width(), spec.getL2(), rate, clip - rounding,
        dp ? (spec.getLossClip() == 0 ? 10.0 : spec.getLossClip()) : Double.POSITIVE_INFINITY);
    this.encoding = dp ? SumEncoding.NOISY : SumEncoding.EXACT;
    this.evaluation = new Evaluation(spec, bins, sites, features.width(), groupLabels, groupValues, dp);
    this.reductions = mitigate && Reductions.applies(spec) ? new Reductions(spec, features, glm, groupValues, groupLabels, dp) : null;
    this.plan = dp ? plan(clip, groupLabels, mitigate, epsilon, delta) : null;
  }


  /**
   * The row count once (a small share: it only scales the gradient), then max_rounds clipped
   * gradient sums; with exponentiated gradient, also its cell counts once, each iteration's
   * predicted-positive counts, max_rounds weighted gradient rounds per further classifier (the
   * same sensitivity C, so one stage with the first model's rounds) and the mixture's confusion
   * cells (a record adds p and 1 - p to its group's block and the overall one: l1 2, l2 sqrt 2).
   */
  private DpTrainingPlan plan(double clip, List<String> groupLabels, boolean mitigate, double epsilon, double delta) {
    int fits = reductions == null ? 0 : reductions.iterations() - 1;
    List<DpTrainingPlan.Stage> stages = new ArrayList<>(List.of(new DpTrainingPlan.Stage("row count", 1, 1, 1, ROWS_WEIGHT),
        new DpTrainingPlan.Stage("gradient per round, per coordinate", Math.sqrt(features.width()) * clip, clip, maxRounds * (1 + fits), 1.0)));
    if (reductions != null) {
      stages.add(new DpTrainingPlan.Stage("reductions: training rows per (label, group) cell", 1, 1, 1, REDUCTION_COUNTS_WEIGHT));
      stages.add(new DpTrainingPlan.Stage("reductions: rows predicted positive per cell, per iteration", 1, 1, fits + 1, REDUCTION_COUNTS_WEIGHT));
      stages.add(new DpTrainingPlan.Stage("reductions: the mixture's confusion cells per group", 2, Math.sqrt(2), 1, 1.0));
    }
    return new DpTrainingPlan(stages, encoding.scale(), spec.getModel() == TrainSpec.Model.LOGISTIC, !groupLabels.isEmpty(),
        mitigate && reductions == null, epsilon, delta, "distributed Skellam over " + maxRounds * (1 + fits) + " clipped gradient rounds, "
            + "one row count" + (reductions == null ? "" : ", " + (fits + 1) + " exponentiated-gradient iterations' counts and the mixture's cells")
            + " and one evaluation round; features scaled by the data dictionary's public bounds");
  }

  public FeatureSpace features() {
    return features;
  }

  /** Columns a node must hold and allow. */
  public List<String> columns() {
    List<String> c = new ArrayList<>(spec.getNumericFeaturesList());
    spec.getCategoricalFeaturesList().forEach(f -> c.add(f.getColumn()));
    c.add(spec.getTarget());
    return c;
  }

  public int vectorLength(StepStart.Kind kind) {
    return switch (kind) {
      case MOMENTS -> 3 * spec.getNumericFeaturesCount();
      case NEWTON -> glm.stepLength();
      case GRADIENT -> gradient.stepLength();
      case EVALUATE -> evaluation.length();
      case IMPORTANCE -> 2 + 2 * features.featureNames().size();
      case CELLS, RATES, MIXTURE -> reductions().vectorLength(kind);
      default -> throw new IllegalArgumentException("unknown step kind " + kind);
    };
  }

  private Reductions reductions() {
    if (reductions == null) throw new IllegalArgumentException("this training job has no exponentiated-gradient phase");
    return reductions;
  }

  /**
   * The exponentiated-gradient phase, driven after {@link Driver} finished the unconstrained
   * model (its first classifier), or null when the job has no such mitigation.
   */
  public ReductionsPhase reductionsPhase(TrainedModel unconstrained, int threshold) {
    if (reductions == null) return null;
    StepStart base = StepStart.newBuilder().addAllMeans(unconstrained.getMeansList()).addAllScales(unconstrained.getScalesList()).build();
    double stop = spec.getTolerance() == 0 ? 1e-6 : spec.getTolerance();
    return new ReductionsPhase(reductions.new Driver(unconstrained, base, maxRounds, stop, dp ? gradient : null,
        contributors -> dp ? plan.stddev(4, contributors, threshold) : 0));
  }

  /** The coordinator's side of the exponentiated-gradient phase. */
  public final class ReductionsPhase {
    private final Reductions.Driver driver;

    private ReductionsPhase(Reductions.Driver driver) {
      this.driver = driver;
    }

    public StepStart current() {
      return driver.current();
    }

    public List<TrainingRound> rounds() {
      return driver.rounds();
    }

    /** Feeds the current step's aggregate; returns the model with its mixture when done, else null. */
    public TrainedModel onAggregate(RingVector aggregate, List<String> contributors) {
      return driver.onAggregate(encoding.decode(aggregate), contributors);
    }
  }

  private Standardization standardization(StepStart step) {
    double[] m = step.getMeansList().stream().mapToDouble(Double::doubleValue).toArray();
    double[] s = step.getScalesList().stream().mapToDouble(Double::doubleValue).toArray();
    if (m.length != spec.getNumericFeaturesCount() || s.length != m.length) {
      throw new IllegalArgumentException("step carries " + m.length + " means for " + spec.getNumericFeaturesCount() + " numeric features");
    }
    Standardization declared = dp ? bounds : new Standardization(m, s, spec.getStandardize());
    if (dp && !(java.util.Arrays.equals(m, bounds.mean()) && java.util.Arrays.equals(s, bounds.scale()))) {
      throw new IllegalArgumentException("a DP training step must scale by the data dictionary's bounds, not by the coordinator's");
    }
    return declared;
  }

  private double[] beta(StepStart step) {
    double[] b = step.getBetaList().stream().mapToDouble(Double::doubleValue).toArray();
    if (b.length != features.width()) throw new IllegalArgumentException("step carries " + b.length + " coefficients, the model has " + features.width());
    return b;
  }

  /**
   * Local step at a node: this step's encoded sums over its rows (without noise). site is the
   * node's index among the job's sites (its block of the evaluation); releaseRows says whether
   * this (first, DP) gradient round carries the row count, else that slot stays zero.
   */
  public RingVector local(StepStart step, Dataset data, int site, boolean releaseRows) {
    return switch (step.getKind()) {
      case MOMENTS -> encoding.encode(features.localMoments(data));
      case NEWTON -> encoding.encode(step.getCellWeightsCount() > 0
          ? reductions().weightedNewton(data, rows(data, step, FeatureSpace.Part.TRAINING), step, beta(step))
          : glm.localStep(rows(data, step, FeatureSpace.Part.TRAINING), beta(step)));
      case CELLS -> encoding.encode(reductions().cellCounts(data, rows(data, step, FeatureSpace.Part.TRAINING)));
      case RATES -> encoding.encode(reductions().rates(data, rows(data, step, FeatureSpace.Part.TRAINING), beta(step)));
      case MIXTURE -> encoding.encode(reductions().mixture(data, rows(data, step, evaluationPart()), step));
      case GRADIENT -> {
        double[] sums = step.getCellWeightsCount() > 0
            ? reductions().weightedGradient(data, rows(data, step, FeatureSpace.Part.TRAINING), step, beta(step), gradient)
            : gradient.localStep(rows(data, step, FeatureSpace.Part.TRAINING), beta(step));
        if (dp) {
          sums[1] = 0; // the loss is not released under DP
          if (!releaseRows) sums[0] = 0;
        }
        yield encoding.encode(sums);
      }
      case EVALUATE -> encoding.encode(evaluate(data, rows(data, step, evaluationPart()), beta(step), site));
      case IMPORTANCE -> encoding.encode(PermutationImportance.local(spec.getModel(), spec.getSplitSeed(), features.featureBlocks(),
          rows(data, step, evaluationPart()), beta(step), step.getColumnMeansList().stream().mapToDouble(Double::doubleValue).toArray()));
      default -> throw new IllegalArgumentException("unknown step kind " + step.getKind());
    };
  }

  /** What a node admits under DP: exactly the steps the accounting paid for, in order; nothing more. */
  public StepAllowance allowance() {
    if (!dp) return StepAllowance.exact();
    List<StepAllowance.Phase> phases = new ArrayList<>(List.of(new StepAllowance.Phase(StepStart.Kind.GRADIENT, maxRounds, "gradient rounds"),
        new StepAllowance.Phase(StepStart.Kind.EVALUATE, 1, "evaluation round")));
    if (reductions != null) {
      phases.add(new StepAllowance.Phase(StepStart.Kind.CELLS, 1, "cell count"));
      for (int t = 1; t < reductions.iterations(); t++) {
        phases.add(new StepAllowance.Phase(StepStart.Kind.RATES, 1, "rate count"));
        phases.add(new StepAllowance.Phase(StepStart.Kind.GRADIENT, maxRounds, "weighted gradient rounds"));
      }
      phases.add(new StepAllowance.Phase(StepStart.Kind.RATES, 1, "rate count"));
      phases.add(new StepAllowance.Phase(StepStart.Kind.MIXTURE, 1, "mixture evaluation"));
    }
    return StepAllowance.of(phases.toArray(StepAllowance.Phase[]::new));
  }

  /** Design rows, built once per table, standardisation and part, and reused by the following steps. */
  private record RowsKey(Dataset data, List<Double> means, List<Double> scales, FeatureSpace.Part part) {}

  private final java.util.Map<RowsKey, FeatureSpace.Rows> rowCache = new java.util.HashMap<>();

  private FeatureSpace.Rows rows(Dataset data, StepStart step, FeatureSpace.Part part) {
    if (rowCache.size() > 8) rowCache.clear();
    // Without a split the training and evaluation parts are the same rows: one key, built once.
    FeatureSpace.Part key = features.splits() ? part : FeatureSpace.Part.ALL;
    return rowCache.computeIfAbsent(new RowsKey(data, step.getMeansList(), step.getScalesList(), key),
        k -> features.rows(data, standardization(step), key));
  }

  private FeatureSpace.Part evaluationPart() {
    return features.splits() ? FeatureSpace.Part.HOLDOUT : FeatureSpace.Part.ALL;
  }

  private double[] evaluate(Dataset data, FeatureSpace.Rows rows, double[] beta, int site) {
    double[] scores = new double[rows.size()];
    double[] losses = new double[rows.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = glm.predict(rows.x()[i], beta);
      double p = Math.min(1 - 1e-12, Math.max(1e-12, scores[i]));
      losses[i] = spec.getModel() == TrainSpec.Model.LOGISTIC ? -(rows.y()[i] * Math.log(p) + (1 - rows.y()[i]) * Math.log(1 - p))
          : 0.5 * Math.pow(scores[i] - rows.y()[i], 2);
    }
    return evaluation.local(data, rows, scores, losses, site);
  }


  /** This node's share of the noise for a step (zeros without DP): Sk(mu / t) per coordinate, only where something is released. */
  public RingVector noiseShare(StepStart step, boolean releaseRows, int threshold, SkellamNoise sampler) {
    StepStart.Kind kind = step.getKind();
    long[] v = new long[vectorLength(kind)];
    if (dp) {
      switch (kind) {
        case CELLS, RATES, MIXTURE -> {
          double mu = plan.mu(kind == StepStart.Kind.CELLS ? 2 : kind == StepStart.Kind.RATES ? 3 : 4);
          for (int i = 0; i < v.length; i++) v[i] = sampler.sample(mu / threshold);
        }
        case GRADIENT -> {
          if (releaseRows) v[0] = sampler.sample(plan.mu(0) / threshold);
          for (int i = 2; i < v.length; i++) v[i] = sampler.sample(plan.mu(1) / threshold);
        }
        case EVALUATE -> {
          for (int i = 0; i < v.length; i++) {
            double mu = plan.evaluationMu[evaluation.componentOf(i)];
            if (mu > 0) v[i] = sampler.sample(mu / threshold);
          }
        }
        default -> throw new IllegalArgumentException("a DP training job has no " + kind + " step");
      }
    }
    return RingVector.adopt(v);
  }

  /** The privacy accounting of the whole job. */
  public PrivacyAccounting accounting(int threshold, List<String> contributors, List<String> dropped) {
    return (dp ? plan.accounting() : Accounting.exact()).release(threshold, contributors, dropped);
  }

  /** The coordinator's side: which step comes next, given the last aggregate. */
  public final class Driver {
    private final double tolerance = spec.getTolerance() == 0 ? 1e-6 : spec.getTolerance();
    private final List<String> sites;
    private final int threshold;
    private StepStart current;
    private Standardization std;
    private double[] beta = new double[features.width()];
    private final List<TrainingRound> rounds = new ArrayList<>();
    private boolean converged;
    private double rows;
    private double[] lastNewtonSums;
    private double[] evaluationSums;
    private List<String> evaluationContributors = List.of();

    private Driver(List<String> sites, int threshold) {
      this.sites = List.copyOf(sites);
      this.threshold = threshold;
      if (dp) {
        std = bounds;
        current = step(StepStart.Kind.GRADIENT);
      } else {
        current = StepStart.newBuilder().setKind(StepStart.Kind.MOMENTS).build();
      }
    }

    /** The step to run now (without session and participants, which the runner adds). */
    public StepStart current() {
      return current;
    }

    public List<TrainingRound> rounds() {
      return List.copyOf(rounds);
    }

    /** Feeds the aggregate of the current step; returns the finished model, or null if another step follows. */
    public TrainedModel onAggregate(RingVector aggregate, List<String> contributors) {
      double[] sums = encoding.decode(aggregate);
      switch (current.getKind()) {
        case MOMENTS -> {
          std = features.standardization(sums);
          current = step(newton ? StepStart.Kind.NEWTON : StepStart.Kind.GRADIENT);
        }
        case NEWTON, GRADIENT -> {
          if (current.getKind() == StepStart.Kind.NEWTON) lastNewtonSums = sums;
          // Under DP the row count is released once, in the first round; later rounds divide by it.
          if (dp && rounds.isEmpty()) rows = Math.max(1, sums[0]);
          if (dp) sums[0] = rows;
          GlmNewton.Update u = current.getKind() == StepStart.Kind.NEWTON ? glm.combine(sums, beta) : gradient.combine(sums, beta);
          beta = u.beta();
          rows = u.rows();
          rounds.add(TrainingRound.newBuilder().setRound(rounds.size() + 1).setLoss(dp ? Double.NaN : u.loss())
              .setGradientNorm(u.gradientNorm()).setMaxChange(u.maxChange()).addAllParticipants(contributors).build());
          // Under DP every round is paid for up front: run them all (stopping early would be free, but gains nothing).
          converged = !dp && u.maxChange() < tolerance;
          boolean last = converged || rounds.size() >= maxRounds;
          current = step(last ? StepStart.Kind.EVALUATE : current.getKind());
        }
        case EVALUATE -> {
          evaluationSums = sums;
          evaluationContributors = List.copyOf(contributors);
          if (dp) return model(sums, null);
          double n = Math.max(sums[evaluation.rowsAt()], 1);
          StepStart.Builder next = step(StepStart.Kind.IMPORTANCE).toBuilder();
          for (int c = 0; c < features.width(); c++) next.addColumnMeans(sums[evaluation.columnSumsAt() + c] / n);
          current = next.build();
        }
        case IMPORTANCE -> {
          return model(evaluationSums, sums);
        }
        default -> throw new IllegalStateException("unknown step " + current.getKind());
      }
      return null;
    }

    private StepStart step(StepStart.Kind kind) {
      StepStart.Builder b = StepStart.newBuilder().setKind(kind);
      for (double v : beta) b.addBeta(v);
      for (double v : std.mean()) b.addMeans(v);
      for (double v : std.scale()) b.addScales(v);
      return b.build();
    }

    private TrainedModel model(double[] sums, double[] importance) {
      TrainedModel.Builder m = TrainedModel.newBuilder().setModelVersion(MODEL_VERSION).setSpec(spec).setConverged(converged)
          .addAllNumericFeatures(spec.getNumericFeaturesList()).addAllRounds(rounds).setRows(rows).setBoundedScaling(dp);
      double[] sd = dp ? plan.evaluationStddev(evaluationContributors.size(), threshold) : null;
      evaluation.release(m, sums, sd, sites);
      m.setEvaluatedOnHoldout(features.splits());
      m.setEvaluation(spec.getEvaluationRowsCount() > 0 ? "declared split: rows where " + conditions(spec.getEvaluationRowsList())
          : spec.getHoldoutFraction() > 0 ? "hashed holdout of " + spec.getHoldoutFraction() + " of each site's rows" : "training rows");
      for (double v : std.mean()) m.addMeans(v);
      for (double v : std.scale()) m.addScales(v);
      coefficients(m);
      if (importance != null) {
        List<String> names = features.featureNames();
        double n = Math.max(importance[0], 1);
        for (int b = 0; b < names.size(); b++) {
          m.addImportance(org.consilium.analytics.wire.FeatureImportance.newBuilder().setFeature(names.get(b))
              .setPermutationLossIncrease((importance[2 + b] - importance[1]) / n)
              .setMeanAbsShap(importance[2 + names.size() + b] / n));
        }
      }
      return m.build();
    }

    private void coefficients(TrainedModel.Builder m) {
      List<String> names = features.names();
      double[] se = lastNewtonSums == null ? null : glm.standardErrors(lastNewtonSums);
      if (se != null && spec.getModel() == TrainSpec.Model.LINEAR) {
        // Least squares: scale by the residual standard deviation, sigma^2 = RSS / (n - p), RSS = 2 * loss.
        double sigma = Math.sqrt(2 * lastNewtonSums[1] / Math.max(1, lastNewtonSums[0] - features.width()));
        for (int j = 0; j < se.length; j++) se[j] *= sigma;
      }
      boolean logistic = spec.getModel() == TrainSpec.Model.LOGISTIC;
      for (int j = 0; j < names.size(); j++) {
        Coefficient.Builder c = Coefficient.newBuilder().setName(names.get(j)).setValue(beta[j]);
        if (se != null) c.setStdError(se[j]).setCiLow(beta[j] - 1.96 * se[j]).setCiHigh(beta[j] + 1.96 * se[j]);
        if (logistic) {
          c.setOddsRatio(Math.exp(beta[j]));
          if (se != null) c.setOddsRatioCiLow(Math.exp(beta[j] - 1.96 * se[j])).setOddsRatioCiHigh(Math.exp(beta[j] + 1.96 * se[j]));
        }
        m.addCoefficients(c);
      }
    }
  }

  private static String conditions(List<Condition> conditions) {
    return String.join(" and ", conditions.stream().map(c -> c.getColumn() + " " + switch (c.getOp()) {
      case EQ -> "==";
      case NE -> "!=";
      case LT -> "<";
      case LE -> "<=";
      case GT -> ">";
      case GE -> ">=";
      default -> "?";
    } + " " + ColumnDefinition.format(c.getValue())).toList());
  }

  /** The coordinator's driver of this job over the named sites (in party order) with threshold t. */
  public Driver driver(List<String> sites, int threshold) {
    return new Driver(sites, threshold);
  }
}
