package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.train.FeatureSpace;
import org.consilium.analytics.train.GlmNewton;
import org.consilium.analytics.train.NewtonTrainer;
import org.consilium.analytics.train.ScoreHistogram;
import org.consilium.analytics.train.Standardization;
import org.consilium.analytics.train.SumEncoding;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.mpc.ring.RingVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training library on the four hospitals, in one process: every aggregate goes through the
 * fixed-point ring sum that secure aggregation computes (the protocol itself is tested
 * elsewhere), and the fit is compared with a pooled training of the same model with the same
 * preprocessing on the concatenated data. (Running this as a job across node processes is
 * the next step of issue 4.)
 */
class FederatedLogisticRegressionTest {
  @TempDir
  Path dir;

  private static final TrainSpec SPEC = TrainSpec.newBuilder().setModel(TrainSpec.Model.LOGISTIC)
      .addNumericFeatures("age").addNumericFeatures("trestbps").addNumericFeatures("chol").addNumericFeatures("thalach")
      .addNumericFeatures("oldpeak")
      .addCategoricalFeatures(CategoricalFeature.newBuilder().setColumn("sex").addValues("0").addValues("1"))
      .addCategoricalFeatures(CategoricalFeature.newBuilder().setColumn("cp").addValues("1").addValues("2").addValues("3").addValues("4"))
      .addCategoricalFeatures(CategoricalFeature.newBuilder().setColumn("exang").addValues("0").addValues("1"))
      .setTarget("num").setPositiveAbove(0).setMissing(TrainSpec.MissingPolicy.DROP_ROWS).setStandardize(true).setL2(1.0).build();

  private static double[] ringSum(List<double[]> locals) {
    RingVector acc = RingVector.zeros(locals.get(0).length);
    for (double[] l : locals) acc = acc.plus(SumEncoding.EXACT.encode(l));
    return SumEncoding.EXACT.decode(acc);
  }

  @Test
  void federatedLogisticRegressionEqualsPooledTrainingOnTheFourHospitals() {
    Map<String, Path> csv = HeartDisease.extractTo(dir);
    List<Dataset> sites = new ArrayList<>();
    csv.values().forEach(p -> sites.add(DefaultJob.load(p)));
    FeatureSpace f = FeatureSpace.of(SPEC);

    // Federated: moments, then Newton rounds, each aggregate a ring sum of the sites' local steps.
    List<double[]> moments = new ArrayList<>();
    for (Dataset d : sites) moments.add(f.localMoments(d));
    Standardization fedStd = f.standardization(ringSum(moments));
    List<FeatureSpace.Rows> rows = new ArrayList<>();
    for (Dataset d : sites) rows.add(f.rows(d, fedStd));
    GlmNewton glm = new GlmNewton(SPEC.getModel(), f.width(), SPEC.getL2());
    NewtonTrainer.Result federated = NewtonTrainer.train(glm, f.width(), 25, 1e-6, beta -> {
      List<double[]> locals = new ArrayList<>();
      for (FeatureSpace.Rows r : rows) locals.add(glm.localStep(r, beta));
      return ringSum(locals);
    });

    // Pooled: the same model and preprocessing on the concatenated data, in the clear.
    Dataset pooledData = Dataset.concat("pooled", sites);
    Standardization pooledStd = f.standardization(f.localMoments(pooledData));
    assertArrayEquals(pooledStd.mean(), fedStd.mean(), 1e-6, "securely aggregated means equal pooled means");
    assertArrayEquals(pooledStd.scale(), fedStd.scale(), 1e-6, "and standard deviations");
    FeatureSpace.Rows pooledRows = f.rows(pooledData, pooledStd);
    NewtonTrainer.Result pooled = NewtonTrainer.train(glm, f.width(), 25, 1e-6, beta -> glm.localStep(pooledRows, beta));

    assertTrue(federated.converged() && pooled.converged(), "both fits converge");
    assertTrue(federated.rounds().size() <= 10, "Newton needs a handful of rounds: " + federated.rounds().size());
    assertArrayEquals(pooled.beta(), federated.beta(), 1e-3, "coefficients within 1e-3 of pooled training " + f.names());

    List<double[]> hist = new ArrayList<>();
    for (FeatureSpace.Rows r : rows) {
      double[] scores = new double[r.size()];
      for (int i = 0; i < scores.length; i++) scores[i] = glm.predict(r.x()[i], federated.beta());
      hist.add(ScoreHistogram.local(scores, r.y()));
    }
    double federatedAuc = ScoreHistogram.auc(ringSum(hist));
    double[] pooledScores = new double[pooledRows.size()];
    for (int i = 0; i < pooledScores.length; i++) pooledScores[i] = glm.predict(pooledRows.x()[i], pooled.beta());
    double pooledAuc = ScoreHistogram.exactAuc(pooledScores, pooledRows.y());
    assertEquals(pooledAuc, federatedAuc, 0.005, "AUC within 0.005 of the pooled model's exact AUC");
    assertTrue(pooledAuc > 0.8, "the model is useful: AUC " + pooledAuc);
  }
}
