package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.ColumnDefinition;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.EbmModel;
import org.consilium.analytics.wire.ShapeFunction;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;
import org.consilium.mpc.ring.RingVector;

/**
 * A federated Explainable Boosting Machine (InterpretML's EBM, main effects; pairwise
 * interactions are not built yet): score = sigmoid(intercept + sum over features of the
 * feature's shape function at the row's bin), learned by cyclic gradient boosting. Each BOOST
 * step names one feature; every node sums, over its training rows at the current model, the
 * gradient, the hessian and the rows per bin of that feature (and the held-out loss); the
 * coordinator moves that feature's bins by a Newton step times the learning rate and the
 * intercept by a full Newton step. After each cycle over the features the held-out loss decides
 * early stopping; the best cycle's model, its shapes centred, is evaluated (EVALUATE, as for the
 * other models) and released. Bins: equal widths over a numeric feature's public bounds (values
 * outside clipped in), one per declared value of a categorical one. Exact training only.
 */
public final class EbmJob {
  static final int DEFAULT_CYCLES = 50;
  static final double DEFAULT_RATE = 0.1;
  static final int DEFAULT_BINS = 16;
  static final int DEFAULT_PATIENCE = 3;
  /** The held-out loss must fall by this share to count as better. */
  private static final double IMPROVEMENT = 1e-6;
  private final TrainSpec spec;
  private final FeatureSpace features;
  private final List<Bins> bins;
  private final Evaluation evaluation;
  private final int cycles;
  private final double rate;
  private final int patience;

  /** One feature's bins. */
  private record Bins(String feature, double[] edges, double[] codes) {
    int size() {
      return codes != null ? codes.length : edges.length - 1;
    }

    /** The bins of a released shape function. */
    static Bins of(ShapeFunction s) {
      return s.getCategoriesCount() > 0
          ? new Bins(s.getFeature(), null, s.getCategoriesList().stream().mapToDouble(Double::parseDouble).toArray())
          : new Bins(s.getFeature(), s.getEdgesList().stream().mapToDouble(Double::doubleValue).toArray(), null);
    }

    /** The bin of a raw value (a numeric one clipped into the edges), or -1 (missing, or an undeclared code). */
    int of(double v) {
      if (Double.isNaN(v)) return -1;
      if (codes != null) {
        for (int i = 0; i < codes.length; i++) if (codes[i] == v) return i;
        return -1;
      }
      double x = Math.min(Math.max(v, edges[0]), edges[edges.length - 1]);
      int b = 0;
      while (b < edges.length - 2 && x >= edges[b + 1]) b++;
      return b;
    }
  }

  public EbmJob(TrainSpec spec, DatasetDictionary dictionary, double epsilon, int sites) {
    if (!Double.isInfinite(epsilon)) {
      throw new InvalidSpecException("train.model", "EBM is built for exact training only (DP-EBM's noisy sums and accounting are not built)");
    }
    if (spec.getMissing() != TrainSpec.MissingPolicy.DROP_ROWS) throw new InvalidSpecException("train.missing", "EBM needs DROP_ROWS");
    if (spec.getNumericFeaturesCount() + spec.getCategoricalFeaturesCount() == 0) {
      throw new InvalidSpecException("train.numeric_features", "an EBM needs at least one feature");
    }
    if (Reductions.applies(spec)) throw new InvalidSpecException("train.mitigation", "exponentiated gradient is built for logistic regression");
    this.spec = spec;
    this.features = FeatureSpace.of(spec);
    dictionary.column(spec.getTarget(), "train.target");
    int maxBins = spec.getEbm().getMaxBins() == 0 ? DEFAULT_BINS : spec.getEbm().getMaxBins();
    if (maxBins < 2 || maxBins > 256) throw new InvalidSpecException("train.ebm.max_bins", "must be 2..256, got " + maxBins);
    List<Bins> b = new ArrayList<>();
    for (String f : spec.getNumericFeaturesList()) {
      ColumnDefinition c = dictionary.column(f, "train.numeric_features");
      double[] edges = new double[maxBins + 1];
      for (int i = 0; i <= maxBins; i++) edges[i] = c.lower() + (c.upper() - c.lower()) * i / maxBins;
      edges[maxBins] = c.upper();
      b.add(new Bins(f, edges, null));
    }
    SensitiveGroups.checkCodes(dictionary, spec.getCategoricalFeaturesList(), "train.categorical_features");
    spec.getCategoricalFeaturesList().forEach(c -> b.add(new Bins(c.getColumn(), null,
        c.getValuesList().stream().mapToDouble(Double::parseDouble).toArray())));
    this.bins = List.copyOf(b);
    this.cycles = spec.getEbm().getCycles() == 0 ? DEFAULT_CYCLES : spec.getEbm().getCycles();
    this.rate = spec.getEbm().getLearningRate() == 0 ? DEFAULT_RATE : spec.getEbm().getLearningRate();
    this.patience = spec.getEbm().getPatience() == 0 ? DEFAULT_PATIENCE : spec.getEbm().getPatience();
    if (cycles < 1 || cycles > 1000) throw new InvalidSpecException("train.ebm.cycles", "must be 1..1000, got " + cycles);
    if (!(rate > 0 && rate <= 1)) throw new InvalidSpecException("train.ebm.learning_rate", "must be in (0, 1], got " + rate);
    List<String> groupLabels = new ArrayList<>();
    double[][] groupValues = SensitiveGroups.of(spec, dictionary, groupLabels);
    this.evaluation = new Evaluation(spec, ScoreHistogram.BINS, sites, features.width(), groupLabels, groupValues, false);
  }

  public FeatureSpace features() {
    return features;
  }

  public List<String> columns() {
    List<String> c = new ArrayList<>(features.featureNames());
    c.add(spec.getTarget());
    return c;
  }

  /** Slots of a BOOST vector: [gradient sum, hessian sum, held-out loss, held-out rows, then per bin gradient, hessian, rows]. */
  public int vectorLength(StepStart step) {
    return switch (step.getKind()) {
      case BOOST -> 4 + 3 * feature(step).size();
      case EVALUATE -> evaluation.length();
      default -> throw new IllegalArgumentException("an EBM job has no " + step.getKind() + " step");
    };
  }

  private Bins feature(StepStart step) {
    if (step.getFeature() >= bins.size()) throw new IllegalArgumentException("feature " + step.getFeature() + " of " + bins.size());
    return bins.get(step.getFeature());
  }

  private int modelLength() {
    return 1 + bins.stream().mapToInt(Bins::size).sum();
  }

  /** Each row's bin of every feature, and its additive score under the model in beta. */
  private double[] logits(Dataset data, FeatureSpace.Rows rows, double[] model, int[][] binOf) {
    int[] cols = bins.stream().mapToInt(b -> data.requireColumn(b.feature())).toArray();
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      double f = model[0];
      int at = 1;
      for (int k = 0; k < bins.size(); k++) {
        int b = bins.get(k).of(data.value(rows.rowIndex()[i], cols[k]));
        binOf[k][i] = b;
        if (b >= 0) f += model[at + b];
        at += bins.get(k).size();
      }
      out[i] = f;
    }
    return out;
  }

  private double[] model(StepStart step) {
    double[] m = step.getBetaList().stream().mapToDouble(Double::doubleValue).toArray();
    if (m.length != modelLength()) throw new IllegalArgumentException("step carries " + m.length + " model values, the EBM has " + modelLength());
    return m;
  }

  /** A node's sums for a step (encoded by the caller). */
  public double[] local(StepStart step, Dataset data, int site) {
    double[] model = model(step);
    if (step.getKind() == StepStart.Kind.EVALUATE) {
      FeatureSpace.Rows rows = features.rows(data, null, evaluationPart());
      double[] f = logits(data, rows, model, new int[bins.size()][rows.size()]);
      double[] scores = new double[f.length];
      double[] losses = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        scores[i] = Glm.sigmoid(f[i]);
        losses[i] = Glm.loss(TrainSpec.Model.LOGISTIC, f[i], rows.y()[i]);
      }
      return evaluation.local(data, rows, scores, losses, site);
    }
    Bins b = feature(step);
    double[] out = new double[vectorLength(step)];
    FeatureSpace.Rows training = features.rows(data, null, features.splits() ? FeatureSpace.Part.TRAINING : FeatureSpace.Part.ALL);
    int[][] binOf = new int[bins.size()][training.size()];
    double[] f = logits(data, training, model, binOf);
    int k = b.size();
    for (int i = 0; i < f.length; i++) {
      double p = Glm.sigmoid(f[i]);
      double g = p - training.y()[i];
      double h = p * (1 - p);
      out[0] += g;
      out[1] += h;
      int bin = binOf[step.getFeature()][i];
      if (bin < 0) continue;
      out[4 + bin] += g;
      out[4 + k + bin] += h;
      out[4 + 2 * k + bin] += 1;
    }
    if (features.splits()) {
      FeatureSpace.Rows held = features.rows(data, null, FeatureSpace.Part.HOLDOUT);
      double[] fh = logits(data, held, model, new int[bins.size()][held.size()]);
      for (int i = 0; i < fh.length; i++) out[2] += Glm.loss(TrainSpec.Model.LOGISTIC, fh[i], held.y()[i]);
      out[3] = held.size();
    }
    return out;
  }

  private FeatureSpace.Part evaluationPart() {
    return features.splits() ? FeatureSpace.Part.HOLDOUT : FeatureSpace.Part.ALL;
  }

  /** The score of every row of a table under a released EBM (NaN where a feature is missing or a category undeclared). */
  static double[] score(EbmModel model, Dataset data) {
    List<ShapeFunction> shapes = model.getShapesList();
    List<Bins> binsOf = shapes.stream().map(Bins::of).toList();
    int[] cols = shapes.stream().mapToInt(s -> data.requireColumn(s.getFeature())).toArray();
    double[] out = new double[data.rowCount()];
    for (int r = 0; r < out.length; r++) {
      double f = model.getIntercept();
      for (int k = 0; k < shapes.size() && !Double.isNaN(f); k++) {
        int b = binsOf.get(k).of(data.value(r, cols[k]));
        f = b < 0 ? Double.NaN : f + shapes.get(k).getScores(b);
      }
      out[r] = Glm.sigmoid(f);
    }
    return out;
  }

  public Driver driver(List<String> sites) {
    return new Driver(sites);
  }

  /** The coordinator's side: cycles of BOOST steps with early stopping, then EVALUATE, then the model. */
  public final class Driver {
    private final List<String> sites;
    private final double[] model = new double[modelLength()];
    private final double[][] rows = new double[bins.size()][];
    private final List<Double> holdoutLosses = new ArrayList<>();
    private final List<TrainingRound> rounds = new ArrayList<>();
    private double[] best;
    private int bestCycle;
    private int cycle;
    private int feature;
    private boolean finalMeasure;
    private StepStart current;

    private Driver(List<String> sites) {
      this.sites = List.copyOf(sites);
      current = boost(0);
    }

    public StepStart current() {
      return current;
    }

    public List<TrainingRound> rounds() {
      return List.copyOf(rounds);
    }

    private StepStart boost(int f) {
      StepStart.Builder b = StepStart.newBuilder().setKind(StepStart.Kind.BOOST).setFeature(f);
      Arrays.stream(model).forEach(b::addBeta);
      return b.build();
    }

    /** Feeds a step's decoded sums; returns the model when done, else null. */
    public TrainedModel onAggregate(double[] sums, List<String> contributors) {
      if (current.getKind() == StepStart.Kind.EVALUATE) return release(sums);
      // The held-out loss is the model's as sent: at a cycle's first step, the previous cycle's result.
      if (feature == 0 && (cycle > 0 || finalMeasure) && sums[3] > 0) {
        double loss = sums[2] / sums[3];
        holdoutLosses.add(loss);
        if (best == null || loss < holdoutLosses.get(bestCycle - 1) * (1 - IMPROVEMENT)) {
          best = model.clone();
          bestCycle = cycle;
        }
      }
      boolean stop = finalMeasure || (features.splits() && best != null && cycle - bestCycle >= patience);
      if (stop) {
        current = evaluate();
        return null;
      }
      update(sums);
      rounds.add(TrainingRound.newBuilder().setRound(rounds.size() + 1).setLoss(Double.NaN)
          .setGradientNorm(Math.abs(sums[0])).addAllParticipants(contributors).build());
      feature++;
      if (feature == bins.size()) {
        feature = 0;
        cycle++;
        // After the last cycle one more step only measures its held-out loss (its update is not taken).
        if (cycle == cycles) {
          if (!features.splits()) {
            best = model.clone();
            bestCycle = cycle;
            current = evaluate();
            return null;
          }
          finalMeasure = true;
        }
      }
      current = boost(feature);
      return null;
    }

    private void update(double[] sums) {
      if (sums[1] > 0) model[0] -= sums[0] / sums[1];
      int k = bins.get(feature).size();
      int at = 1;
      for (int f = 0; f < feature; f++) at += bins.get(f).size();
      rows[feature] = Arrays.copyOfRange(sums, 4 + 2 * k, 4 + 3 * k);
      for (int b = 0; b < k; b++) {
        double h = sums[4 + k + b];
        if (sums[4 + 2 * k + b] > 0 && h > 0) model[at + b] -= rate * sums[4 + b] / h;
      }
    }

    /** The chosen model with every shape centred on its training rows (the intercept takes the means: the same scores). */
    private StepStart evaluate() {
      int at = 1;
      for (int f = 0; f < bins.size(); f++) {
        int k = bins.get(f).size();
        double n = rows[f] == null ? 0 : Arrays.stream(rows[f]).sum();
        if (n > 0) {
          double mean = 0;
          for (int b = 0; b < k; b++) mean += rows[f][b] * best[at + b];
          mean /= n;
          for (int b = 0; b < k; b++) best[at + b] -= mean;
          best[0] += mean;
        }
        at += k;
      }
      StepStart.Builder b = StepStart.newBuilder().setKind(StepStart.Kind.EVALUATE);
      Arrays.stream(best).forEach(b::addBeta);
      return b.build();
    }

    private TrainedModel release(double[] sums) {
      double[] m = current.getBetaList().stream().mapToDouble(Double::doubleValue).toArray();
      EbmModel.Builder e = EbmModel.newBuilder().setIntercept(m[0]).setCycles(cycle).setBestCycle(bestCycle).addAllHoldoutLoss(holdoutLosses);
      int at = 1;
      for (int f = 0; f < bins.size(); f++) {
        Bins b = bins.get(f);
        ShapeFunction.Builder s = ShapeFunction.newBuilder().setFeature(b.feature());
        if (b.codes() != null) spec.getCategoricalFeaturesList().stream().filter(c -> c.getColumn().equals(b.feature())).findFirst()
            .ifPresent(c -> s.addAllCategories(c.getValuesList()));
        else Arrays.stream(b.edges()).forEach(s::addEdges);
        for (int k = 0; k < b.size(); k++) s.addScores(m[at + k]).addRows(rows[f] == null ? 0 : rows[f][k]);
        e.addShapes(s);
        at += b.size();
      }
      TrainedModel.Builder out = TrainedModel.newBuilder().setModelVersion(TrainingJob.MODEL_VERSION).setSpec(spec).setConverged(true)
          .addAllRounds(rounds).setEbm(e).setEvaluatedOnHoldout(features.splits())
          .setEvaluation(features.splits() ? "held-out rows" : "training rows");
      evaluation.release(out, sums, null, sites);
      out.setRows(sums[evaluation.rowsAt()]);
      // Importance: each feature's mean absolute contribution over the training rows.
      at = 1;
      for (int f = 0; f < bins.size(); f++) {
        double n = rows[f] == null ? 0 : Arrays.stream(rows[f]).sum();
        double mean = 0;
        for (int k = 0; k < bins.get(f).size(); k++) mean += (rows[f] == null ? 0 : rows[f][k]) * Math.abs(m[at + k]);
        out.addImportance(org.consilium.analytics.wire.FeatureImportance.newBuilder().setFeature(bins.get(f).feature())
            .setMeanAbsShap(n > 0 ? mean / n : 0));
        at += bins.get(f).size();
      }
      return out.build();
    }
  }

  /** Encodes a node's sums for the secure sum, and decodes the aggregate (the training jobs' exact fixed point). */
  public RingVector encode(double[] sums) {
    return SumEncoding.EXACT.encode(sums);
  }

  public double[] decode(RingVector aggregate) {
    return SumEncoding.EXACT.decode(aggregate);
  }
}
