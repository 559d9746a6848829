package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.InTheClear;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.TrainedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A federated Explainable Boosting Machine across the four hospital processes: released with its
 * shape functions, equal to the same computation with its sums taken in the clear, its model
 * card printing the shapes; its held-out AUC beside the exact logistic regression's on the same split.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EbmEndToEndTest {
  @TempDir
  static Path work;
  private LocalConsortium consortium;

  @BeforeAll
  void start() {
    Map<String, Map<String, String>> settings = new HashMap<>();
    for (String id : HeartDisease.HOSPITALS.keySet()) {
      settings.put(id, Map.of("policy.allowed_computations", "[train]", "policy.allow_exact_release", "true"));
    }
    consortium = LocalConsortium.start(new LocalConsortium.Options(work, settings, Map.of()));
  }

  @AfterAll
  void stop() {
    if (consortium != null) consortium.close();
  }

  private JsonObject released(String spec) {
    JsonObject job = consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(3));
    assertEquals("RELEASED", job.getString("status"), job.encodePrettily());
    return job;
  }

  private static TrainedModel model(JsonObject job) throws Exception {
    JobResult.Builder r = JobResult.newBuilder();
    JsonFormat.parser().merge(job.getJsonObject("result").encode(), r);
    return r.getModel();
  }

  @Test
  void anEbmTrainedAcrossTheNodesEqualsTheSameComputationInTheClear() throws Exception {
    String spec = DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"model\": \"LOGISTIC\"", "\"model\": \"EBM\", \"ebm\": {\"cycles\": 30}")
        .replace("Heart disease risk", "Heart disease risk EBM");
    JsonObject ebmJob = released(spec);
    TrainedModel ebm = model(ebmJob);
    assertEquals(8, ebm.getEbm().getShapesCount(), "a shape function per feature");
    Map<String, Dataset> sites = new LinkedHashMap<>();
    for (String n : consortium.nodeIds().stream().sorted().toList()) sites.put(n, DefaultJob.load(consortium.datasets().get(n)));
    TrainedModel clear = InTheClear.run(Computation.of(JobSpecs.fromJson(spec), sites.size(), HeartDisease.dictionary()), sites, 3,
        new SkellamNoise(new SecureRandom())).getModel();
    assertEquals(clear.getEbm().getBestCycle(), ebm.getEbm().getBestCycle(), "the same early stop");
    for (int f = 0; f < 8; f++) {
      var a = ebm.getEbm().getShapes(f);
      var b = clear.getEbm().getShapes(f);
      for (int k = 0; k < a.getScoresCount(); k++) {
        assertEquals(b.getScores(k), a.getScores(k), 1e-6, a.getFeature() + " bin " + k + ": across the nodes as in the clear");
      }
    }
    assertEquals(clear.getAuc(), ebm.getAuc(), 1e-9);
    TrainedModel logistic = model(released(DefaultJob.trainSpec("AGGREGATION_MASKING")));
    System.out.printf("held-out AUC on the four hospitals: EBM %.4f (best cycle %d), logistic regression %.4f%n", ebm.getAuc(),
        ebm.getEbm().getBestCycle(), logistic.getAuc());
    assertTrue(ebm.getAuc() > 0.8 && logistic.getAuc() > 0.8, "both models separate the classes: EBM " + ebm.getAuc()
        + ", logistic " + logistic.getAuc());
    String card = consortium.rest().get("api/v1/jobs/" + ebmJob.getString("id") + "/model-card.md").body();
    assertTrue(card.contains("## Shape functions") && card.contains("explainable boosting machine"), card);
  }
}
