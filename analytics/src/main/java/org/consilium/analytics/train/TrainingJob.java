package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.wire.Coefficient;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;
import org.consilium.mpc.ring.RingVector;

/**
 * A training job as a sequence of aggregations, shared by nodes (local steps) and coordinator
 * (the driver): the moments of the numeric features, then Newton rounds until the coefficients
 * settle, then an evaluation round of score histograms. Each step's vector is a fixed-point
 * ring vector ({@link SumEncoding}) that either aggregation backend sums.
 */
public final class TrainingJob {
  public static final int MODEL_VERSION = 1;
  private final TrainSpec spec;
  private final FeatureSpace features;
  private final GlmNewton glm;

  public TrainingJob(TrainSpec spec) {
    this.spec = spec;
    this.features = FeatureSpace.of(spec);
    this.glm = new GlmNewton(spec.getModel(), features.width(), spec.getL2());
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
      case EVALUATE -> 2 * ScoreHistogram.BINS + 2;
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

  /** Local step at a node: this step's encoded sums over its rows. */
  public RingVector local(StepStart step, Dataset data) {
    switch (step.getKind()) {
      case MOMENTS:
        return SumEncoding.encode(features.localMoments(data));
      case NEWTON:
        return SumEncoding.encode(glm.localStep(features.rows(data, standardization(step)), beta(step)));
      case EVALUATE: {
        FeatureSpace.Rows rows = features.rows(data, standardization(step));
        double[] beta = beta(step);
        double[] scores = new double[rows.size()];
        double loss = 0;
        for (int i = 0; i < scores.length; i++) {
          scores[i] = glm.predict(rows.x()[i], beta);
          double p = Math.min(1 - 1e-12, Math.max(1e-12, scores[i]));
          loss -= rows.y()[i] * Math.log(p) + (1 - rows.y()[i]) * Math.log(1 - p);
        }
        double[] out = java.util.Arrays.copyOf(ScoreHistogram.local(scores, rows.y()), vectorLength(StepStart.Kind.EVALUATE));
        out[2 * ScoreHistogram.BINS] = loss;
        out[2 * ScoreHistogram.BINS + 1] = rows.size();
        return SumEncoding.encode(out);
      }
      default:
        throw new IllegalArgumentException("unknown step kind " + step.getKind());
    }
  }

  /** The coordinator's side: which step comes next, given the last aggregate. */
  public final class Driver {
    private final int maxRounds = spec.getMaxRounds() == 0 ? 25 : spec.getMaxRounds();
    private final double tolerance = spec.getTolerance() == 0 ? 1e-6 : spec.getTolerance();
    private StepStart current = StepStart.newBuilder().setKind(StepStart.Kind.MOMENTS).build();
    private Standardization std;
    private double[] beta = new double[features.width()];
    private final List<TrainingRound> rounds = new ArrayList<>();
    private boolean converged;
    private double rows;

    /** The step to run now (without session and participants, which the runner adds). */
    public StepStart current() {
      return current;
    }

    public List<TrainingRound> rounds() {
      return List.copyOf(rounds);
    }

    /** Feeds the aggregate of the current step; returns the finished model, or null if another step follows. */
    public TrainedModel onAggregate(RingVector aggregate, List<String> contributors) {
      double[] sums = SumEncoding.decode(aggregate);
      switch (current.getKind()) {
        case MOMENTS -> {
          std = features.standardization(sums);
          current = step(StepStart.Kind.NEWTON);
        }
        case NEWTON -> {
          GlmNewton.Update u = glm.combine(sums, beta);
          beta = u.beta();
          rows = u.rows();
          rounds.add(TrainingRound.newBuilder().setRound(rounds.size() + 1).setLoss(u.loss()).setGradientNorm(u.gradientNorm())
              .setMaxChange(u.maxChange()).addAllParticipants(contributors).build());
          converged = u.maxChange() < tolerance;
          current = step(converged || rounds.size() >= maxRounds ? StepStart.Kind.EVALUATE : StepStart.Kind.NEWTON);
        }
        case EVALUATE -> {
          return model(sums);
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

    private TrainedModel model(double[] eval) {
      int bins = ScoreHistogram.BINS;
      double[] hist = java.util.Arrays.copyOf(eval, 2 * bins);
      double n = eval[2 * bins + 1];
      double correct = 0;
      for (int b = 0; b < bins; b++) correct += b >= bins / 2 ? hist[b] : hist[bins + b];
      TrainedModel.Builder m = TrainedModel.newBuilder().setModelVersion(MODEL_VERSION).setSpec(spec).setConverged(converged)
          .addAllNumericFeatures(spec.getNumericFeaturesList()).addAllRounds(rounds).setRows(rows)
          .setLogLoss(eval[2 * bins] / n);
      if (spec.getModel() == TrainSpec.Model.LOGISTIC) m.setAuc(ScoreHistogram.auc(hist)).setAccuracy(correct / n);
      for (double v : std.mean()) m.addMeans(v);
      for (double v : std.scale()) m.addScales(v);
      List<String> names = features.names();
      for (int j = 0; j < names.size(); j++) m.addCoefficients(Coefficient.newBuilder().setName(names.get(j)).setValue(beta[j]));
      return m.build();
    }
  }

  public Driver driver() {
    return new Driver();
  }
}
