package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dp.NoiseComponentSpec;
import org.consilium.analytics.fairness.Fairness;
import org.consilium.analytics.fairness.ThresholdMitigation;
import org.consilium.analytics.dp.SkellamAccountant;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.Coefficient;
import org.consilium.analytics.wire.NoiseComponent;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;
import org.consilium.mpc.ring.RingVector;

/**
 * A training job as a sequence of aggregations, shared by nodes (local steps) and coordinator
 * (the driver). Exact training: the moments of the numeric features, then Newton or gradient
 * rounds until the coefficients settle, then an evaluation round of score histograms. DP
 * training: exactly max_rounds clipped gradient rounds and one evaluation round, every vector
 * carrying each node's share of Skellam noise; the (epsilon, delta) target of the whole job
 * sets one noise multiplier for all of them (see {@link #accounting}).
 *
 * <p>DP accounting (add/remove one record): per gradient round the count has sensitivity 1,
 * the clipped loss L and the clipped gradient C in l2 (sqrt(d) C in l1); the evaluation round's
 * score histogram 1, its loss L and its row count 1. Their Skellam RDP curves add over all
 * rounds ({@link SkellamAccountant}), and the calibration finds the noise that meets the target.
 * DP training needs standardize = false and DROP_ROWS, since standardising or imputing would
 * need further DP statistics (not built); the design is then fixed before any data is seen.
 */
public final class TrainingJob {
  public static final int MODEL_VERSION = 1;
  /** Score-histogram bins: fine for exact evaluation, coarse under DP where every bin is noised. */
  private static final int EXACT_BINS = ScoreHistogram.BINS;
  private static final int ROC_POINTS = 50;
  private static final int DP_BINS = 20;
  private final int bins;
  private final int eval;
  /** Per-group score histograms for threshold mitigation: 20 bins, positives and negatives. */
  private static final int GROUP_BINS = 20;
  private final boolean mitigate;
  private final TrainSpec spec;
  private final FeatureSpace features;
  private final boolean dp;
  private final boolean newton;
  private final GlmNewton glm;
  private final GlmGradient gradient;
  private final SumEncoding encoding;
  private final int maxRounds;
  private final double epsilon;
  private final double delta;
  private final double[] muGradient;   // per coordinate of a gradient step
  private final double[] muEvaluate;   // per coordinate of the evaluation step
  private final SkellamAccountant.Spent spent;
  private final List<String> groupLabels = new ArrayList<>();
  private final double[][] groupValues;   // per group, the value of each sensitive feature

  public TrainingJob(TrainSpec spec, double epsilon, double delta) {
    this.spec = spec;
    this.features = FeatureSpace.of(spec);
    this.dp = !Double.isInfinite(epsilon);
    this.epsilon = epsilon;
    this.delta = delta;
    this.bins = dp ? DP_BINS : EXACT_BINS;
    this.eval = 2 * bins;
    this.groupValues = sensitiveGroups(spec, groupLabels);
    this.mitigate = spec.getMitigation() == TrainSpec.Mitigation.THRESHOLD_DEMOGRAPHIC_PARITY;
    if (mitigate && (groupLabels.isEmpty() || spec.getModel() != TrainSpec.Model.LOGISTIC)) {
      throw new InvalidSpecException("train.mitigation", "threshold mitigation needs a logistic model and sensitive features");
    }
    if (dp && spec.getStandardize()) {
      throw new InvalidSpecException("train.standardize", "DP training needs standardize = false (DP standardisation is not built)");
    }
    if (dp && spec.getMissing() != TrainSpec.MissingPolicy.DROP_ROWS) {
      throw new InvalidSpecException("train.missing", "DP training needs DROP_ROWS (a DP imputation mean is not built)");
    }
    if (dp && spec.getOptimizer() == TrainSpec.Optimizer.NEWTON) {
      throw new InvalidSpecException("train.optimizer", "DP training uses gradient descent (a DP Hessian is not built)");
    }
    this.newton = !dp && (spec.getOptimizer() == TrainSpec.Optimizer.NEWTON
        || (spec.getOptimizer() == TrainSpec.Optimizer.AUTO && features.width() <= 100));
    this.maxRounds = spec.getMaxRounds() == 0 ? (newton ? 25 : dp ? 20 : 500) : spec.getMaxRounds();
    double clip = dp ? (spec.getClipNorm() == 0 ? 1.0 : spec.getClipNorm()) : Double.POSITIVE_INFINITY;
    double lossClip = dp ? (spec.getLossClip() == 0 ? 10.0 : spec.getLossClip()) : Double.POSITIVE_INFINITY;
    this.glm = new GlmNewton(spec.getModel(), features.width(), spec.getL2());
    this.gradient = new GlmGradient(spec.getModel(), features.width(), spec.getL2(),
        spec.getLearningRate() == 0 ? 1.0 : spec.getLearningRate(), clip, lossClip);
    this.encoding = dp ? SumEncoding.NOISY : SumEncoding.EXACT;
    if (dp) {
      double u = encoding.scale();
      int d = features.width();
      List<NoiseComponentSpec> perRound = List.of(new NoiseComponentSpec("count", u, u),
          new NoiseComponentSpec("loss", lossClip * u, lossClip * u),
          new NoiseComponentSpec("gradient", Math.sqrt(d) * clip * u, clip * u));
      List<NoiseComponentSpec> evaluation = new ArrayList<>(List.of(new NoiseComponentSpec("score histogram", u, u),
          new NoiseComponentSpec("evaluation loss", lossClip * u, lossClip * u), new NoiseComponentSpec("evaluation rows", u, u)));
      if (!groupLabels.isEmpty()) evaluation.add(new NoiseComponentSpec("group confusion cells", u, u));
      if (mitigate) evaluation.add(new NoiseComponentSpec("group score histograms", u, u));
      List<NoiseComponentSpec> all = new ArrayList<>();
      for (int r = 0; r < maxRounds; r++) all.addAll(perRound);
      all.addAll(evaluation);
      SkellamAccountant.Calibration c = SkellamAccountant.calibrate(all, epsilon, delta);
      double[] mu = c.mu();
      this.spent = c.spent();
      muGradient = new double[gradient.stepLength()];
      muGradient[0] = mu[0];
      muGradient[1] = mu[1];
      for (int j = 0; j < d; j++) muGradient[2 + j] = mu[2];
      int e = 3 * maxRounds;
      muEvaluate = new double[groupHistograms() + groupHistogramLength()];
      for (int b = 0; b < eval; b++) muEvaluate[b] = mu[e];
      muEvaluate[eval] = mu[e + 1];
      muEvaluate[eval + 1] = mu[e + 2];
      for (int i = eval + 2; i < eval + 2 + 4 * groupLabels.size(); i++) muEvaluate[i] = mu[e + 3];
      // The design column sums feed only SHAP, which DP training does not compute: those slots stay zero, unnoised.
      for (int i = groupHistograms(); i < muEvaluate.length; i++) muEvaluate[i] = mu[e + 4];
    } else {
      muGradient = null;
      muEvaluate = null;
      spent = null;
    }
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
      case EVALUATE -> groupHistograms() + groupHistogramLength();
      case IMPORTANCE -> 2 + 2 * features.featureNames().size();
      default -> throw new IllegalArgumentException("unknown step kind " + kind);
    };
  }

  private Standardization standardization(StepStart step) {
    double[] m = step.getMeansList().stream().mapToDouble(Double::doubleValue).toArray();
    double[] s = step.getScalesList().stream().mapToDouble(Double::doubleValue).toArray();
    if (m.length != spec.getNumericFeaturesCount() || s.length != m.length) {
      throw new IllegalArgumentException("step carries " + m.length + " means for " + spec.getNumericFeaturesCount() + " numeric features");
    }
    return new Standardization(m, s, spec.getStandardize());
  }

  private double[] beta(StepStart step) {
    double[] b = step.getBetaList().stream().mapToDouble(Double::doubleValue).toArray();
    if (b.length != features.width()) throw new IllegalArgumentException("step carries " + b.length + " coefficients, the model has " + features.width());
    return b;
  }

  /** Local step at a node: this step's encoded sums over its rows (without noise). */
  public RingVector local(StepStart step, Dataset data) {
    return switch (step.getKind()) {
      case MOMENTS -> encoding.encode(features.localMoments(data));
      case NEWTON -> encoding.encode(glm.localStep(rows(data, step, FeatureSpace.Part.TRAINING), beta(step)));
      case GRADIENT -> encoding.encode(gradient.localStep(rows(data, step, FeatureSpace.Part.TRAINING), beta(step)));
      case EVALUATE -> encoding.encode(evaluation(data, rows(data, step, evaluationPart()), beta(step)));
      case IMPORTANCE -> encoding.encode(importance(rows(data, step, evaluationPart()), beta(step),
          step.getColumnMeansList().stream().mapToDouble(Double::doubleValue).toArray()));
      default -> throw new IllegalArgumentException("unknown step kind " + step.getKind());
    };
  }

  /** Design rows, built once per table, standardisation and part, and reused by the following steps. */
  private record RowsKey(Dataset data, List<Double> means, List<Double> scales, FeatureSpace.Part part) {}

  private final java.util.Map<RowsKey, FeatureSpace.Rows> rowCache = new java.util.HashMap<>();

  private FeatureSpace.Rows rows(Dataset data, StepStart step, FeatureSpace.Part part) {
    if (rowCache.size() > 8) rowCache.clear();
    return rowCache.computeIfAbsent(new RowsKey(data, step.getMeansList(), step.getScalesList(), part),
        k -> features.rows(data, standardization(step), part));
  }

  /** Where the per-group histograms start in the evaluation vector (after the design column sums). */
  private int groupHistograms() {
    return eval + 2 + 4 * groupLabels.size() + features.width();
  }

  private int groupHistogramLength() {
    return mitigate ? 2 * GROUP_BINS * groupLabels.size() : 0;
  }

  private FeatureSpace.Part evaluationPart() {
    return spec.getHoldoutFraction() > 0 ? FeatureSpace.Part.HOLDOUT : FeatureSpace.Part.ALL;
  }

  /**
   * Local step of the importance round: [rows, loss, loss with feature f permuted (per feature),
   * sum over rows of |SHAP_f|]. The permutation is a node-local shuffle of the feature's design
   * columns among the node's evaluation rows, seeded from split_seed and the feature.
   */
  private double[] importance(FeatureSpace.Rows rows, double[] beta, double[] columnMeans) {
    List<int[]> blocks = features.featureBlocks();
    int f = blocks.size();
    double[] out = new double[2 + 2 * f];
    int n = rows.size();
    out[0] = n;
    for (int i = 0; i < n; i++) out[1] += Glm.loss(spec.getModel(), Glm.eta(rows.x()[i], beta), rows.y()[i]);
    for (int b = 0; b < f; b++) {
      int[] perm = permutation(n, spec.getSplitSeed() * 31 + b);
      for (int i = 0; i < n; i++) {
        double[] x = rows.x()[i].clone();
        for (int c : blocks.get(b)) x[c] = rows.x()[perm[i]][c];
        out[2 + b] += Glm.loss(spec.getModel(), Glm.eta(x, beta), rows.y()[i]);
        double shap = 0;
        for (int c : blocks.get(b)) shap += beta[c] * (rows.x()[i][c] - columnMeans[c]);
        out[2 + f + b] += Math.abs(shap);
      }
    }
    return out;
  }

  private static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private double[] evaluation(Dataset data, FeatureSpace.Rows rows, double[] beta) {
    double cap = dp ? (spec.getLossClip() == 0 ? 10.0 : spec.getLossClip()) : Double.POSITIVE_INFINITY;
    double[] scores = new double[rows.size()];
    double loss = 0;
    for (int i = 0; i < scores.length; i++) {
      scores[i] = glm.predict(rows.x()[i], beta);
      double p = Math.min(1 - 1e-12, Math.max(1e-12, scores[i]));
      double l = spec.getModel() == TrainSpec.Model.LOGISTIC ? -(rows.y()[i] * Math.log(p) + (1 - rows.y()[i]) * Math.log(1 - p))
          : 0.5 * Math.pow(scores[i] - rows.y()[i], 2);
      loss += Math.min(l, cap);
    }
    double[] out = Arrays.copyOf(ScoreHistogram.local(spec.getModel() == TrainSpec.Model.LOGISTIC ? scores : new double[0],
        spec.getModel() == TrainSpec.Model.LOGISTIC ? rows.y() : new double[0], bins), eval + 2);
    out[eval] = loss;
    out[eval + 1] = rows.size();
    out = Arrays.copyOf(out, vectorLength(StepStart.Kind.EVALUATE));
    int columnSums = eval + 2 + 4 * groupLabels.size();
    for (int i = 0; i < rows.size() && !dp; i++) {
      // Unbounded sums: never under DP (the slots stay zero there).
      for (int c = 0; c < features.width(); c++) out[columnSums + c] += rows.x()[i][c];
    }
    if (!groupLabels.isEmpty()) {
      int[] cols = spec.getSensitiveFeaturesList().stream().mapToInt(f -> data.requireColumn(f.getColumn())).toArray();
      for (int i = 0; i < rows.size(); i++) {
        int g = groupOf(data, rows.rowIndex()[i], cols);
        if (g < 0) continue;
        boolean predicted = scores[i] >= 0.5;
        boolean actual = rows.y()[i] > 0.5;
        int cell = predicted ? (actual ? 0 : 1) : (actual ? 2 : 3); // TP, FP, FN, TN
        out[eval + 2 + 4 * g + cell] += 1;
        if (mitigate) {
          int b = Math.min(GROUP_BINS - 1, (int) Math.floor(scores[i] * GROUP_BINS));
          out[groupHistograms() + 2 * GROUP_BINS * g + (actual ? 0 : GROUP_BINS) + b] += 1;
        }
      }
    }
    return out;
  }

  /** The labels and value tuples of the sensitive groups (the cartesian product of the declared values). */
  private static double[][] sensitiveGroups(TrainSpec spec, List<String> labels) {
    List<double[]> tuples = new ArrayList<>();
    tuples.add(new double[0]);
    List<String> names = new ArrayList<>(List.of(""));
    for (var f : spec.getSensitiveFeaturesList()) {
      List<double[]> next = new ArrayList<>();
      List<String> nextNames = new ArrayList<>();
      for (int t = 0; t < tuples.size(); t++) {
        for (String v : f.getValuesList()) {
          double[] tuple = Arrays.copyOf(tuples.get(t), tuples.get(t).length + 1);
          try {
            tuple[tuple.length - 1] = Double.parseDouble(v);
          } catch (NumberFormatException e) {
            throw new InvalidSpecException("train.sensitive_features", "'" + v + "' of '" + f.getColumn() + "' is not a numeric code");
          }
          next.add(tuple);
          nextNames.add((names.get(t).isEmpty() ? "" : names.get(t) + " & ") + f.getColumn() + "=" + v);
        }
      }
      tuples = next;
      names = nextNames;
    }
    if (spec.getSensitiveFeaturesCount() == 0) return new double[0][];
    if (tuples.size() > 1000) throw new InvalidSpecException("train.sensitive_features", "more than 1000 groups");
    labels.addAll(names);
    return tuples.toArray(double[][]::new);
  }

  private int groupOf(Dataset data, int row, int[] cols) {
    for (int g = 0; g < groupValues.length; g++) {
      boolean match = true;
      for (int k = 0; k < cols.length && match; k++) match = data.value(row, cols[k]) == groupValues[g][k];
      if (match) return g;
    }
    return -1;
  }

  /** This node's share of the noise for a step (zeros without DP): Sk(mu / t) per coordinate. */
  public RingVector noiseShare(StepStart.Kind kind, int threshold, SkellamNoise sampler) {
    long[] v = new long[vectorLength(kind)];
    if (dp) {
      double[] mu = kind == StepStart.Kind.GRADIENT ? muGradient : kind == StepStart.Kind.EVALUATE ? muEvaluate : null;
      if (mu == null) throw new IllegalArgumentException("a DP training job has no " + kind + " step");
      for (int i = 0; i < v.length; i++) v[i] = sampler.sample(mu[i] / threshold);
    }
    return RingVector.adopt(v);
  }

  /** The privacy accounting of the whole job. */
  public PrivacyAccounting accounting(int threshold, List<String> contributors, List<String> dropped) {
    PrivacyAccounting.Builder b = PrivacyAccounting.newBuilder().setThreshold(threshold).addAllContributors(contributors)
        .addAllDropped(dropped);
    if (!dp) return b.setMechanism("none (exact release)").setEpsilon(Double.POSITIVE_INFINITY).build();
    b.setMechanism("distributed Skellam over " + maxRounds + " clipped gradient rounds and one evaluation round")
        .setEpsilon(spent.epsilon()).setDelta(delta).setRdpOrder(spent.order());
    double u = encoding.scale();
    double factor = (double) contributors.size() / threshold;
    b.addComponents(component("gradient (per round, per coordinate)", muGradient[2], u, factor));
    b.addComponents(component("count (per round)", muGradient[0], u, factor));
    b.addComponents(component("score histogram (per bin)", muEvaluate[0], u, factor));
    return b.build();
  }

  private static NoiseComponent component(String name, double mu, double unit, double factor) {
    return NoiseComponent.newBuilder().setName(name).setMu(mu).setStddev(Math.sqrt(2 * mu * factor) / unit).build();
  }

  /** The coordinator's side: which step comes next, given the last aggregate. */
  public final class Driver {
    private final double tolerance = spec.getTolerance() == 0 ? 1e-6 : spec.getTolerance();
    private StepStart current;
    private Standardization std;
    private double[] beta = new double[features.width()];
    private final List<TrainingRound> rounds = new ArrayList<>();
    private boolean converged;
    private double rows;
    private double[] lastNewtonSums;
    private double[] evaluationSums;

    private Driver() {
      if (dp) {
        int n = spec.getNumericFeaturesCount();
        double[] ones = new double[n];
        Arrays.fill(ones, 1.0);
        std = new Standardization(new double[n], ones, false);
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
          GlmNewton.Update u = current.getKind() == StepStart.Kind.NEWTON ? glm.combine(sums, beta) : gradient.combine(sums, beta);
          beta = u.beta();
          rows = u.rows();
          rounds.add(TrainingRound.newBuilder().setRound(rounds.size() + 1).setLoss(u.loss()).setGradientNorm(u.gradientNorm())
              .setMaxChange(u.maxChange()).addAllParticipants(contributors).build());
          // Under DP every round is paid for up front: run them all (stopping early would be free, but gains nothing).
          converged = !dp && u.maxChange() < tolerance;
          boolean last = converged || rounds.size() >= maxRounds;
          current = step(last ? StepStart.Kind.EVALUATE : current.getKind());
        }
        case EVALUATE -> {
          evaluationSums = sums;
          if (dp) return model(sums, null);
          double n = Math.max(sums[eval + 1], 1);
          int at = eval + 2 + 4 * groupLabels.size();
          StepStart.Builder next = step(StepStart.Kind.IMPORTANCE).toBuilder();
          for (int c = 0; c < features.width(); c++) next.addColumnMeans(sums[at + c] / n);
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
      double[] hist = Arrays.copyOf(sums, 2 * bins);
      double n = Math.max(sums[2 * bins + 1], 1);
      double correct = 0;
      for (int b = 0; b < bins; b++) correct += b >= bins / 2 ? Math.max(0, hist[b]) : Math.max(0, hist[bins + b]);
      TrainedModel.Builder m = TrainedModel.newBuilder().setModelVersion(MODEL_VERSION).setSpec(spec).setConverged(converged)
          .addAllNumericFeatures(spec.getNumericFeaturesList()).addAllRounds(rounds).setRows(rows)
          .setLogLoss(sums[2 * bins] / n);
      if (spec.getModel() == TrainSpec.Model.LOGISTIC) {
        m.setAuc(ScoreHistogram.auc(hist)).setAccuracy(Math.min(1, correct / n));
        m.addAllCalibration(calibration(hist));
        m.addAllRoc(ScoreHistogram.roc(hist, Math.min(bins, ROC_POINTS)));
      }
      m.setEvaluatedOnHoldout(spec.getHoldoutFraction() > 0);
      for (double v : std.mean()) m.addMeans(v);
      for (double v : std.scale()) m.addScales(v);
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
      if (importance != null) {
        List<String> names2 = features.featureNames();
        double n2 = Math.max(importance[0], 1);
        for (int b = 0; b < names2.size(); b++) {
          m.addImportance(org.consilium.analytics.wire.FeatureImportance.newBuilder().setFeature(names2.get(b))
              .setPermutationLossIncrease((importance[2 + b] - importance[1]) / n2)
              .setMeanAbsShap(importance[2 + names2.size() + b] / n2));
        }
      }
      if (!groupLabels.isEmpty()) {
        List<Fairness.Confusion> groups = new ArrayList<>();
        for (int g = 0; g < groupLabels.size(); g++) {
          int at = eval + 2 + 4 * g;
          groups.add(new Fairness.Confusion(groupLabels.get(g), sums[at], sums[at + 1], sums[at + 2], sums[at + 3]));
        }
        List<String> sensitive = spec.getSensitiveFeaturesList().stream().map(f -> f.getColumn()).toList();
        double minGroup = spec.getMinGroupSize() == 0 ? 10 : spec.getMinGroupSize();
        m.setFairness(Fairness.report(sensitive, groups, minGroup));
        if (mitigate) {
          List<ThresholdMitigation.GroupHistogram> hists = new ArrayList<>();
          for (int g = 0; g < groupLabels.size(); g++) {
            int at = groupHistograms() + 2 * GROUP_BINS * g;
            hists.add(new ThresholdMitigation.GroupHistogram(groupLabels.get(g), Arrays.copyOfRange(sums, at, at + GROUP_BINS),
                Arrays.copyOfRange(sums, at + GROUP_BINS, at + 2 * GROUP_BINS)));
          }
          m.setMitigation(ThresholdMitigation.demographicParity(sensitive, hists, minGroup));
        }
      }
      return m.build();
    }
  }

  /** Ten equal-width score bins from the aggregated histograms: rows and observed positive rate. */
  private List<org.consilium.analytics.wire.CalibrationBin> calibration(double[] hist) {
    List<org.consilium.analytics.wire.CalibrationBin> out = new ArrayList<>();
    int per = bins / 10;
    for (int d = 0; d < 10; d++) {
      double pos = 0;
      double neg = 0;
      for (int b = d * per; b < (d + 1) * per; b++) {
        pos += Math.max(0, hist[b]);
        neg += Math.max(0, hist[bins + b]);
      }
      out.add(org.consilium.analytics.wire.CalibrationBin.newBuilder().setScoreFrom(d / 10.0).setScoreTo((d + 1) / 10.0)
          .setRows(pos + neg).setObservedRate(pos + neg > 0 ? pos / (pos + neg) : Double.NaN).build());
    }
    return out;
  }

  public Driver driver() {
    return new Driver();
  }
}
