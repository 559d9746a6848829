package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.List;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.wire.TrainedModel;

/**
 * Applies a released model to a table: the same feature space and missing-value policy as in
 * training, the model's own standardisation, its coefficients. Rows the model cannot score (a
 * missing feature under DROP_ROWS, an undeclared category) get NaN, so the output lines up
 * with the input. The target column is not needed.
 */
public final class ModelScorer {
  private final TrainedModel model;
  private final FeatureSpace features;
  private final GlmNewton glm;
  private final double[] beta;
  private final Standardization std;

  public ModelScorer(TrainedModel model) {
    // Version 2 added bounded scaling (DP models), which version 1 models do not use: both score the same way.
    if (model.getModelVersion() < 1 || model.getModelVersion() > TrainingJob.MODEL_VERSION) {
      throw new IllegalArgumentException("model version " + model.getModelVersion() + " is not supported (expected 1.." + TrainingJob.MODEL_VERSION + ")");
    }
    this.model = model;
    this.features = FeatureSpace.of(model.getSpec());
    if (model.getSpec().getModel() == org.consilium.analytics.wire.TrainSpec.Model.EBM) {
      if (!model.hasEbm()) throw new IllegalArgumentException("an EBM model needs its shape functions (ebm)");
      this.glm = null;
      this.beta = null;
      this.std = null;
      return;
    }
    if (model.getCoefficientsCount() != features.width()) {
      throw new IllegalArgumentException("model has " + model.getCoefficientsCount() + " coefficients for " + features.width() + " features");
    }
    this.glm = new GlmNewton(model.getSpec().getModel(), features.width(), 0);
    this.beta = model.getCoefficientsList().stream().mapToDouble(c -> c.getValue()).toArray();
    this.std = new Standardization(model.getMeansList().stream().mapToDouble(Double::doubleValue).toArray(),
        model.getScalesList().stream().mapToDouble(Double::doubleValue).toArray(),
        model.getSpec().getStandardize() || model.getBoundedScaling(), model.getBoundedScaling());
  }

  /** The scaling the model applies to raw numeric features. */
  public Standardization standardization() {
    return std;
  }

  /** The score of one design row (as {@link FeatureSpace#rows} builds them with {@link #standardization}). */
  public double score(double[] designRow) {
    if (glm == null) throw new IllegalStateException("an EBM scores table rows (score(Dataset)), not design rows");
    return glm.predict(designRow, beta);
  }

  /**
   * The model's AUC on the evaluation rows of these sites (the declared split or hashed
   * holdout, as in training), computed in the clear: a reference for tests and benchmarks.
   */
  public double evaluationAuc(Iterable<Dataset> sites) {
    List<Double> scores = new ArrayList<>();
    List<Double> labels = new ArrayList<>();
    for (Dataset d : sites) {
      FeatureSpace.Rows rows = features.rows(d, std, features.splits() ? FeatureSpace.Part.HOLDOUT : FeatureSpace.Part.ALL);
      double[] table = model.hasEbm() ? score(d) : null;
      for (int i = 0; i < rows.size(); i++) {
        scores.add(table != null ? table[rows.rowIndex()[i]] : score(rows.x()[i]));
        labels.add(rows.y()[i]);
      }
    }
    return ScoreHistogram.exactAuc(scores.stream().mapToDouble(Double::doubleValue).toArray(),
        labels.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * For a model mitigated by exponentiated gradient (a randomised mixture), each row's
   * probability of a positive decision: the summed probabilities of the components whose score
   * is at least 0.5; empty for other models. NaN where a row cannot be scored.
   */
  public java.util.Optional<double[]> positiveDecisionProbability(Dataset data) {
    if (!model.hasMitigation() || model.getMitigation().getMixtureCount() == 0) return java.util.Optional.empty();
    double[] out = new double[data.rowCount()];
    for (int r = 0; r < out.length; r++) {
      double[] x = features.designRow(data, r, std);
      if (x == null) {
        out[r] = Double.NaN;
        continue;
      }
      for (var c : model.getMitigation().getMixtureList()) {
        double[] b = c.getCoefficientsList().stream().mapToDouble(Double::doubleValue).toArray();
        if (glm.predict(x, b) >= 0.5) out[r] += c.getProbability();
      }
    }
    return java.util.Optional.of(out);
  }

  /** One score per row of the table (probability for logistic models and EBMs, prediction for linear). */
  public double[] score(Dataset data) {
    if (model.hasEbm()) return EbmJob.score(model.getEbm(), data);
    List<Double> out = new ArrayList<>();
    for (int r = 0; r < data.rowCount(); r++) {
      double[] x = features.designRow(data, r, std);
      out.add(x == null ? Double.NaN : glm.predict(x, beta));
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
