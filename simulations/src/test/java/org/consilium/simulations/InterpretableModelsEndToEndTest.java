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
 * Issue 17's models across the four hospital processes: a federated GA2M (EBM with FAST
 * interactions) equal to the same computation with its sums taken in the clear, its card and
 * per-term scoring; a DP-EBM and a DP exponentiated-gradient mixture, each paid for in every ledger.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InterpretableModelsEndToEndTest {
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
    String spec = DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"model\": \"LOGISTIC\"", "\"model\": \"EBM\", \"ebm\": {\"cycles\": 30, \"interactions\": 2}")
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
    assertEquals(2, ebm.getEbm().getInteractionsCount(), "FAST chose two pairs");
    for (int i = 0; i < 2; i++) {
      var a = ebm.getEbm().getInteractions(i);
      var b = clear.getEbm().getInteractions(i);
      assertEquals(b.getA().getFeature() + " x " + b.getB().getFeature(), a.getA().getFeature() + " x " + a.getB().getFeature());
      for (int k = 0; k < a.getScoresCount(); k++) assertEquals(b.getScores(k), a.getScores(k), 1e-5, "interaction " + i + " cell " + k);
    }
    assertEquals(clear.getAuc(), ebm.getAuc(), 1e-9);
    TrainedModel logistic = model(released(DefaultJob.trainSpec("AGGREGATION_MASKING")));
    System.out.printf("held-out AUC on the four hospitals: EBM %.4f (best cycle %d), logistic regression %.4f%n", ebm.getAuc(),
        ebm.getEbm().getBestCycle(), logistic.getAuc());
    assertTrue(ebm.getAuc() > 0.8 && logistic.getAuc() > 0.8, "both models separate the classes: EBM " + ebm.getAuc()
        + ", logistic " + logistic.getAuc());
    String card = consortium.rest().get("api/v1/jobs/" + ebmJob.getString("id") + "/model-card.md").body();
    assertTrue(card.contains("## Shape functions") && card.contains("explainable boosting machine") && card.contains("## Interactions")
        && card.contains("(±"), card);
    // consilium-score adds each term's contribution; with the intercept they add up to the score's log odds.
    Path modelFile = work.resolve("ebm.json");
    java.nio.file.Files.writeString(modelFile, consortium.rest().get("api/v1/jobs/" + ebmJob.getString("id") + "/model").body());
    Path scored = work.resolve("ebm-scored.csv");
    assertEquals(0, new picocli.CommandLine(new org.consilium.coordinator.cli.ScoreCommand()).execute("--model", modelFile.toString(),
        "--csv", consortium.datasets().get("cleveland").toString(), "--out", scored.toString(), "--contributions"));
    java.util.List<String> lines = java.nio.file.Files.readAllLines(scored);
    java.util.List<String> header = java.util.List.of(lines.get(0).split(","));
    int score = header.indexOf("score");
    assertEquals(10, header.size() - score - 1, "8 features and 2 interactions after the score: " + header);
    for (String line : lines.subList(1, 40)) {
      String[] v = line.split(",", -1);
      if (v[score].isEmpty()) continue;
      double logit = ebm.getEbm().getIntercept();
      for (int t = score + 1; t < v.length; t++) logit += Double.parseDouble(v[t]);
      assertEquals(Double.parseDouble(v[score]), 1 / (1 + Math.exp(-logit)), 2e-5, "intercept + contributions = the score's log odds: " + line);
    }
  }

  /** Exponentiated gradient under DP across the nodes: a mixture released with its noisy fairness report, paid for in every ledger. */
  @Test
  void aDpExponentiatedGradientMixtureIsReleasedAndPaidFor() throws Exception {
    String spec = DefaultJob.dpTrainSpec("1.0", "[\"cleveland\", \"hungarian\", \"switzerland\", \"va-long-beach\"]").replace("\"sensitiveFeatures\"",
        "\"mitigation\": \"EXPONENTIATED_GRADIENT_DEMOGRAPHIC_PARITY\", \"reduction\": {\"iterations\": 3}, \"sensitiveFeatures\"");
    JsonObject job = released(spec);
    TrainedModel m = model(job);
    assertTrue(m.getPrivacy().getEpsilon() <= 1 + 1e-9, "spent " + m.getPrivacy().getEpsilon());
    assertTrue(m.getPrivacy().getComponentsList().stream().anyMatch(c -> c.getName().startsWith("reductions: rows predicted positive")),
        "the reductions' counts are in the accounting: " + m.getPrivacy());
    assertTrue(m.getMitigation().getMixtureCount() >= 1 && m.getMitigation().getAfter().getGroupsCount() == 2, m.getMitigation().toString());
    Map<String, Dataset> sites = new LinkedHashMap<>();
    for (String n : consortium.nodeIds().stream().sorted().toList()) sites.put(n, DefaultJob.load(consortium.datasets().get(n)));
    var scorer = new org.consilium.analytics.train.ModelScorer(m);
    double[] selected = new double[2];
    double[] rows = new double[2];
    for (Dataset d : sites.values()) {
      double[] p = scorer.positiveDecisionProbability(d).orElseThrow();
      for (int r = 0; r < d.rowCount(); r++) {
        if (Double.isNaN(p[r])) continue;
        int g = (int) d.value(r, "sex");
        selected[g] += p[r];
        rows[g]++;
      }
    }
    System.out.printf("DP exponentiated gradient at epsilon 1 across the nodes: released gap %.3f before, %.3f after; in the clear after %.3f%n",
        m.getFairness().getDemographicParityDifference(), m.getMitigation().getAfter().getDemographicParityDifference(),
        Math.abs(selected[0] / rows[0] - selected[1] / rows[1]));
    assertLedgersReserve(job.getString("id"));
  }

  private void assertLedgersReserve(String jobId) throws Exception {
    for (String node : consortium.nodeIds()) {
      Path ledger = consortium.kits().nodeConfigs().get(node).getParent().resolve("privacy-ledger.log");
      assertTrue(java.nio.file.Files.readAllLines(ledger).stream().anyMatch(l -> l.contains(" RESERVE heart-disease " + jobId + " ")),
          node + "'s ledger records the reservation for " + jobId);
    }
  }

  /** DP-EBM across the nodes at epsilon 1: each node's ledger pays for it, and the noisy model still ranks the held-out patients. */
  @Test
  void aDpEbmAtEpsilonOneIsPaidForInEveryLedgerAndStillRanks() throws Exception {
    String spec = DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"model\": \"LOGISTIC\"", "\"model\": \"EBM\"")
        .replace("\"privacy\": {\"epsilon\": \"Infinity\"}", "\"privacy\": {\"epsilon\": 1, \"delta\": 1e-6}")
        .replace("Heart disease risk", "Heart disease risk DP-EBM");
    JsonObject job = released(spec);
    TrainedModel m = model(job);
    assertTrue(m.getPrivacy().getEpsilon() <= 1 + 1e-9, "spent " + m.getPrivacy().getEpsilon());
    assertEquals(8 * 8, m.getRoundsCount(), "8 cycles x 8 features of noisy boosting steps");
    assertEquals(2, m.getEbm().getSmoothingDegree());
    Map<String, Dataset> sites = new LinkedHashMap<>();
    for (String n : consortium.nodeIds().stream().sorted().toList()) sites.put(n, DefaultJob.load(consortium.datasets().get(n)));
    double auc = new org.consilium.analytics.train.ModelScorer(m).evaluationAuc(sites.values());
    System.out.printf("DP-EBM at epsilon 1 across the nodes: held-out AUC %.4f (in the clear, a test-only reference)%n", auc);
    assertTrue(auc > 0.75, "the DP EBM still ranks the held-out patients: AUC " + auc);
    assertLedgersReserve(job.getString("id"));
  }
}
