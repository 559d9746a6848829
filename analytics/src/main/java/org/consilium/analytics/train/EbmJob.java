package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.fairness.ThresholdMitigation;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.EbmModel;
import org.consilium.analytics.wire.InteractionTerm;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.ShapeFunction;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.mpc.ring.RingVector;

/**
 * A federated Explainable Boosting Machine (InterpretML's EBM, a GA2M): score = sigmoid(intercept
 * + each feature's shape function at the row's bin + each chosen interaction's score at the
 * row's cell), learned by cyclic gradient boosting ({@link EbmBooster} drives it). This is the
 * node's side: the sums each step asks for over the node's rows, the noise it adds under DP, and
 * the steps its budget admits.
 *
 * <p>Exact: each BOOST step sums one feature's gradient, hessian and rows per bin (and the
 * held-out loss); after the main effects, one PAIRS step sums every pair's gradient and hessian
 * per cell of a coarse grid for FAST, and BOOST_PAIR steps boost the chosen interactions.
 *
 * <p>DP (DP-EBM, Nori et al. 2021, with Skellam noise inside the secure sum): one HISTOGRAMS
 * step releases every feature's rows per bin (l2 sensitivity sqrt(features)), then every BOOST
 * step only the residual sum (p - y, in (-1, 1)) per bin of one feature (l1 = l2 = 1: a record
 * sits in one bin), for a fixed number of cycles, then one evaluation. No held-out loss and no
 * interactions under DP: the budget goes to the main effects.
 */
public final class EbmJob {
  static final int DEFAULT_CYCLES = 50;
  static final int DP_DEFAULT_CYCLES = 8;
  static final double DEFAULT_RATE = 0.1;
  static final double DP_DEFAULT_RATE = 0.5;
  static final int DEFAULT_BINS = 16;
  static final int DEFAULT_PATIENCE = 3;
  static final int DEFAULT_INTERACTION_BINS = 8;
  static final int DEFAULT_SMOOTHING_DEGREE = 2;
  /** The bin counts' budget weight, per feature, against one boosting step's 1. */
  static final double HISTOGRAMS_WEIGHT_PER_FEATURE = 1.0;

  final TrainSpec spec;
  final FeatureSpace features;
  final List<FeatureBins> bins;
  final Evaluation evaluation;
  final int cycles;
  final double rate;
  final int patience;
  final int interactions;
  final int interactionBins;
  final int smoothingDegree;
  final boolean dp;
  final DpTrainingPlan plan;
  private final SumEncoding encoding;
  private final double residualBound;
  private final Map<Object, int[][]> cellCache = new HashMap<>();

  public EbmJob(TrainSpec spec, DatasetDictionary dictionary, double epsilon, double delta, int sites) {
    this.dp = !Double.isInfinite(epsilon);
    if (spec.getMissing() != TrainSpec.MissingPolicy.DROP_ROWS) throw new InvalidSpecException("train.missing", "EBM needs DROP_ROWS");
    if (spec.getNumericFeaturesCount() + spec.getCategoricalFeaturesCount() == 0) {
      throw new InvalidSpecException("train.numeric_features", "an EBM needs at least one feature");
    }
    if (Reductions.applies(spec)) throw new InvalidSpecException("train.mitigation", "exponentiated gradient is built for logistic regression");
    this.spec = spec;
    this.features = FeatureSpace.of(spec);
    dictionary.column(spec.getTarget(), "train.target");
    var e = spec.getEbm();
    int maxBins = e.getMaxBins() == 0 ? DEFAULT_BINS : e.getMaxBins();
    if (maxBins < 2 || maxBins > 256) throw new InvalidSpecException("train.ebm.max_bins", "must be 2..256, got " + maxBins);
    List<FeatureBins> b = new ArrayList<>();
    for (String f : spec.getNumericFeaturesList()) b.add(FeatureBins.numeric(dictionary.column(f, "train.numeric_features"), maxBins));
    SensitiveGroups.checkCodes(dictionary, spec.getCategoricalFeaturesList(), "train.categorical_features");
    spec.getCategoricalFeaturesList().forEach(c -> b.add(FeatureBins.categorical(c)));
    this.bins = List.copyOf(b);
    this.cycles = e.getCycles() == 0 ? (dp ? DP_DEFAULT_CYCLES : DEFAULT_CYCLES) : e.getCycles();
    this.rate = e.getLearningRate() == 0 ? (dp ? DP_DEFAULT_RATE : DEFAULT_RATE) : e.getLearningRate();
    this.patience = e.getPatience() == 0 ? DEFAULT_PATIENCE : e.getPatience();
    this.interactions = e.getInteractions();
    this.interactionBins = e.getInteractionBins() == 0 ? DEFAULT_INTERACTION_BINS : e.getInteractionBins();
    this.smoothingDegree = e.getSmoothingDegree() == 0 ? DEFAULT_SMOOTHING_DEGREE : e.getSmoothingDegree();
    if (cycles < 1 || cycles > 1000) throw new InvalidSpecException("train.ebm.cycles", "must be 1..1000, got " + cycles);
    if (dp && cycles * bins.size() > 2000) {
      throw new InvalidSpecException("train.ebm.cycles", "under DP cycles x features is at most 2000 noisy releases, got " + cycles * bins.size());
    }
    if (!(rate > 0 && rate <= 1)) throw new InvalidSpecException("train.ebm.learning_rate", "must be in (0, 1], got " + rate);
    if (interactions > 100) throw new InvalidSpecException("train.ebm.interactions", "at most 100, got " + interactions);
    if (dp && interactions > 0) {
      throw new InvalidSpecException("train.ebm.interactions", "interactions are exact only: ranking every pair's grid under DP "
          + "would take the budget the main effects need (DP-EBM learns main effects)");
    }
    if (interactions > bins.size() * (bins.size() - 1) / 2) {
      throw new InvalidSpecException("train.ebm.interactions", bins.size() + " features have " + bins.size() * (bins.size() - 1) / 2
          + " pairs, asked for " + interactions);
    }
    if (interactionBins < 2 || interactionBins > 32) throw new InvalidSpecException("train.ebm.interaction_bins", "must be 2..32, got " + interactionBins);
    if (smoothingDegree > 8) throw new InvalidSpecException("train.ebm.smoothing_degree", "must be 0..8, got " + smoothingDegree);
    List<String> groupLabels = new ArrayList<>();
    double[][] groupValues = SensitiveGroups.of(spec, dictionary, groupLabels);
    this.evaluation = new Evaluation(spec, dp ? TrainingJob.DP_BINS : ScoreHistogram.BINS, sites, features.width(), groupLabels, groupValues, dp);
    this.encoding = dp ? SumEncoding.NOISY : SumEncoding.EXACT;
    this.residualBound = 1 - 1 / encoding.scale();
    this.plan = dp ? new DpTrainingPlan(List.of(
        new DpTrainingPlan.Stage("rows per bin of every feature", bins.size(), Math.sqrt(bins.size()), 1,
            HISTOGRAMS_WEIGHT_PER_FEATURE * bins.size()),
        new DpTrainingPlan.Stage("residual sum per bin, per boosting step", 1, 1, cycles * bins.size(), 1.0)),
        encoding.scale(), true, !groupLabels.isEmpty(), ThresholdMitigation.isThreshold(spec.getMitigation()), epsilon, delta,
        "distributed Skellam (DP-EBM): the bin counts once, " + cycles + " cycles x " + bins.size()
            + " features of residual sums per bin, and one evaluation round; bins from the data dictionary's public bounds") : null;
  }

  public FeatureSpace features() {
    return features;
  }

  public List<String> columns() {
    List<String> c = new ArrayList<>(features.featureNames());
    c.add(spec.getTarget());
    return c;
  }

  public boolean isDp() {
    return dp;
  }

  /** The terms of the model a step carries: every main effect and the interactions it names. */
  EbmTerms terms(StepStart step) {
    if (step.getPairsCount() % 2 != 0) throw new IllegalArgumentException("pairs come two features at a time, got " + step.getPairsCount());
    List<EbmTerms.Pair> pairs = new ArrayList<>();
    for (int i = 0; i < step.getPairsCount(); i += 2) pairs.add(EbmTerms.pair(bins, step.getPairs(i), step.getPairs(i + 1), interactionBins));
    return new EbmTerms(bins, pairs);
  }

  /**
   * Slots: BOOST and BOOST_PAIR [gradient, hessian, held-out loss, held-out rows, then per cell
   * gradient, hessian, rows] (under DP a BOOST is the residual sum per bin only); HISTOGRAMS
   * every feature's rows per bin; PAIRS every candidate pair's grid, gradients then hessians.
   */
  public int vectorLength(StepStart step) {
    EbmTerms terms = terms(step);
    return switch (step.getKind()) {
      case BOOST -> dp ? terms.size(mainTerm(step)) : 4 + 3 * terms.size(mainTerm(step));
      case BOOST_PAIR -> 4 + 3 * terms.size(pairTerm(step, terms));
      case HISTOGRAMS -> bins.stream().mapToInt(FeatureBins::size).sum();
      case PAIRS -> EbmTerms.candidates(bins, interactionBins).stream().mapToInt(p -> 2 * p.size()).sum();
      case EVALUATE -> evaluation.length();
      default -> throw new IllegalArgumentException("an EBM job has no " + step.getKind() + " step");
    };
  }

  private int mainTerm(StepStart step) {
    if (step.getFeature() >= bins.size()) throw new IllegalArgumentException("feature " + step.getFeature() + " of " + bins.size());
    return step.getFeature();
  }

  private int pairTerm(StepStart step, EbmTerms terms) {
    if (step.getFeature() >= terms.pairs().size()) throw new IllegalArgumentException("interaction " + step.getFeature() + " of " + terms.pairs().size());
    return bins.size() + step.getFeature();
  }

  private record CellsKey(Dataset data, FeatureSpace.Part part, List<Integer> pairs) {}

  private FeatureSpace.Rows rows(Dataset data, FeatureSpace.Part part) {
    return features.rows(data, null, part);
  }

  private int[][] cells(Dataset data, FeatureSpace.Rows rows, FeatureSpace.Part part, EbmTerms terms, StepStart step) {
    if (cellCache.size() > 8) cellCache.clear();
    return cellCache.computeIfAbsent(new CellsKey(data, part, step.getPairsList()), k -> terms.cells(data, rows.rowIndex()));
  }

  private FeatureSpace.Part trainingPart() {
    return features.splits() ? FeatureSpace.Part.TRAINING : FeatureSpace.Part.ALL;
  }

  private FeatureSpace.Part evaluationPart() {
    return features.splits() ? FeatureSpace.Part.HOLDOUT : FeatureSpace.Part.ALL;
  }

  /** A node's sums for a step, before noise. */
  public double[] local(StepStart step, Dataset data, int site) {
    EbmTerms terms = terms(step);
    double[] model = step.getBetaList().stream().mapToDouble(Double::doubleValue).toArray();
    if (step.getKind() == StepStart.Kind.EVALUATE) {
      FeatureSpace.Rows rows = rows(data, evaluationPart());
      double[] f = terms.logits(model, cells(data, rows, evaluationPart(), terms, step));
      double[] scores = new double[f.length];
      double[] losses = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        scores[i] = Glm.sigmoid(f[i]);
        losses[i] = Glm.loss(TrainSpec.Model.LOGISTIC, f[i], rows.y()[i]);
      }
      return evaluation.local(data, rows, scores, losses, site);
    }
    FeatureSpace.Rows training = rows(data, trainingPart());
    int[][] cells = cells(data, training, trainingPart(), terms, step);
    double[] out = new double[vectorLength(step)];
    switch (step.getKind()) {
      case HISTOGRAMS -> {
        for (int t = 0, at = 0; t < bins.size(); at += bins.get(t).size(), t++) {
          for (int c : cells[t]) if (c >= 0) out[at + c] += 1;
        }
        return out;
      }
      case PAIRS -> {
        double[] f = terms.logits(model, cells);
        int at = 0;
        for (EbmTerms.Pair p : EbmTerms.candidates(bins, interactionBins)) {
          int[] a = terms.cells(p, data, training.rowIndex());
          for (int i = 0; i < f.length; i++) {
            if (a[i] < 0) continue;
            double q = Glm.sigmoid(f[i]);
            out[at + a[i]] += q - training.y()[i];
            out[at + p.size() + a[i]] += q * (1 - q);
          }
          at += 2 * p.size();
        }
        return out;
      }
      case BOOST, BOOST_PAIR -> {
        int term = step.getKind() == StepStart.Kind.BOOST ? mainTerm(step) : pairTerm(step, terms);
        double[] f = terms.logits(model, cells);
        int k = terms.size(term);
        int gAt = dp ? 0 : 4;
        for (int i = 0; i < f.length; i++) {
          double p = Glm.sigmoid(f[i]);
          double g = p - training.y()[i];
          int c = cells[term][i];
          if (dp) {
            // Kept below 1 by one encoded unit, so that with each node's rounding to the encoding a record still
            // moves an encoded sum by at most the declared sensitivity.
            if (c >= 0) out[c] += Math.max(-residualBound, Math.min(residualBound, g));
            continue;
          }
          double h = p * (1 - p);
          out[0] += g;
          out[1] += h;
          if (c < 0) continue;
          out[gAt + c] += g;
          out[gAt + k + c] += h;
          out[gAt + 2 * k + c] += 1;
        }
        if (!dp && features.splits()) {
          FeatureSpace.Rows held = rows(data, FeatureSpace.Part.HOLDOUT);
          double[] fh = terms.logits(model, cells(data, held, FeatureSpace.Part.HOLDOUT, terms, step));
          for (int i = 0; i < fh.length; i++) out[2] += Glm.loss(TrainSpec.Model.LOGISTIC, fh[i], held.y()[i]);
          out[3] = held.size();
        }
        return out;
      }
      default -> throw new IllegalArgumentException("an EBM job has no " + step.getKind() + " step");
    }
  }

  /** What a node admits: under DP exactly the bin counts, cycles x features boosting steps and one evaluation, in order. */
  public StepAllowance allowance() {
    return dp ? StepAllowance.of(new StepAllowance.Phase(StepStart.Kind.HISTOGRAMS, 1, "bin-count release"),
        new StepAllowance.Phase(StepStart.Kind.BOOST, cycles * bins.size(), "boosting steps"),
        new StepAllowance.Phase(StepStart.Kind.EVALUATE, 1, "evaluation round")) : StepAllowance.exact();
  }

  /** This node's share of a step's noise (zeros when exact): Sk(mu / t) in every released slot. */
  public RingVector noiseShare(StepStart step, int threshold, SkellamNoise sampler) {
    long[] v = new long[vectorLength(step)];
    if (dp) {
      for (int i = 0; i < v.length; i++) {
        double mu = switch (step.getKind()) {
          case HISTOGRAMS -> plan.mu(0);
          case BOOST -> plan.mu(1);
          case EVALUATE -> plan.evaluationMu[evaluation.componentOf(i)];
          default -> throw new IllegalArgumentException("a DP EBM has no " + step.getKind() + " step");
        };
        if (mu > 0) v[i] = sampler.sample(mu / threshold);
      }
    }
    return RingVector.adopt(v);
  }

  public PrivacyAccounting accounting(int threshold, List<String> contributors, List<String> dropped) {
    return (dp ? plan.accounting() : Accounting.exact()).release(threshold, contributors, dropped);
  }

  public EbmBooster driver(List<String> sites, int threshold) {
    return new EbmBooster(this, sites, threshold);
  }

  public RingVector encode(double[] sums) {
    return encoding.encode(sums);
  }

  public double[] decode(RingVector aggregate) {
    return encoding.decode(aggregate);
  }

  /** The score of every row of a table under a released EBM (NaN where a feature is missing or a category undeclared). */
  static double[] score(EbmModel model, Dataset data) {
    double[][] c = contributions(model, data);
    double[] out = new double[data.rowCount()];
    for (int r = 0; r < out.length; r++) {
      double f = model.getIntercept();
      for (double[] term : c) f += term[r];
      out[r] = Glm.sigmoid(f);
    }
    return out;
  }

  /**
   * Each row's contribution from every term of a released EBM ([term][row], main effects then
   * interactions, in the model's order; NaN where a feature is missing or a category undeclared):
   * with the intercept they add up to the row's log odds.
   */
  public static double[][] contributions(EbmModel model, Dataset data) {
    List<FeatureBins> mains = model.getShapesList().stream().map(FeatureBins::of).toList();
    Map<String, Integer> index = new HashMap<>();
    for (int k = 0; k < mains.size(); k++) index.put(mains.get(k).feature(), k);
    List<EbmTerms.Pair> pairs = new ArrayList<>();
    for (InteractionTerm t : model.getInteractionsList()) {
      pairs.add(new EbmTerms.Pair(index.get(t.getA().getFeature()), index.get(t.getB().getFeature()), FeatureBins.of(t.getA()),
          FeatureBins.of(t.getB())));
    }
    EbmTerms terms = new EbmTerms(mains, pairs);
    int[] all = new int[data.rowCount()];
    for (int r = 0; r < all.length; r++) all[r] = r;
    int[][] cells = terms.cells(data, all);
    double[][] out = new double[terms.count()][all.length];
    for (int t = 0; t < terms.count(); t++) {
      List<Double> scores = t < mains.size() ? model.getShapes(t).getScoresList() : model.getInteractions(t - mains.size()).getScoresList();
      for (int r = 0; r < all.length; r++) out[t][r] = cells[t][r] < 0 ? Double.NaN : scores.get(cells[t][r]);
    }
    return out;
  }

  /** The names of a released EBM's terms, in the order of {@link #contributions}: each feature, then each "a x b". */
  public static List<String> termNames(EbmModel model) {
    List<String> out = new ArrayList<>(model.getShapesList().stream().map(ShapeFunction::getFeature).toList());
    model.getInteractionsList().forEach(t -> out.add(t.getA().getFeature() + " x " + t.getB().getFeature()));
    return out;
  }

  /** A shape function's description for a main effect (its bins; scores are the caller's). */
  ShapeFunction.Builder describe(int feature) {
    return bins.get(feature).describe();
  }
}
