package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.stats.StatisticsQuery;
import org.consilium.analytics.wire.GroupStatistics;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.StatisticsResult;
import org.consilium.analytics.wire.Frame;
import org.consilium.deploy.ConsortiumPki;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four hospitals as five real processes on loopback (coordinator plus one node each), with
 * mutually authenticated TLS, the real data and the real protocol. One consortium serves every
 * scenario below, in order; the last one kills a node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsortiumEndToEndTest {
  @TempDir
  static Path work;
  private LocalConsortium consortium;
  private Path traffic;

  @BeforeAll
  void start() throws Exception {
    traffic = work.resolve("coordinator-traffic.bin");
    Map<String, Map<String, String>> nodeSettings = new HashMap<>();
    for (String id : HeartDisease.HOSPITALS.keySet()) {
      Map<String, String> s = new HashMap<>();
      s.put("policy.allow_exact_release", "true");
      s.put("policy.min_cohort_size", "5");
      s.put("policy.secagg_min_neighbours", "2"); // SecAgg+ scenario: each masks with 2 of the 3 others
      nodeSettings.put(id, s);
    }
    nodeSettings.get("switzerland").put("policy.epsilon_cap", "2.5");
    nodeSettings.get("cleveland").put("datasheet.motivation", "'Cardiology referrals at the Cleveland Clinic, 1981-1984.'");
    nodeSettings.get("cleveland").put("datasheet.collection", "'Angiography results with exercise tests.'");
    for (Map<String, String> s : nodeSettings.values()) {
      s.put("policy.allowed_computations", "[statistics, train, datasheet]");
    }
    // Hungarian answers protocol rounds 0.6 s late: the window in which the dropout scenarios strike.
    nodeSettings.get("hungarian").put("debug.round_delay_ms", "600");
    // Cleveland serves its own metrics.
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      clevelandMetricsPort = free.getLocalPort();
    }
    nodeSettings.get("cleveland").put("metrics.port", Integer.toString(clevelandMetricsPort));
    consortium = LocalConsortium.start(new LocalConsortium.Options(work, nodeSettings,
        Map.of("debug.record_traffic", "'" + traffic + "'", "rounds.timeout_seconds", "5", "limits.hello_seconds", "2")));
  }

  private static int clevelandMetricsPort;

  @Test
  @Order(100)
  void everyAuditLogVerifiesAndEveryNodeAgreesWithTheCoordinator() throws Exception {
    Path caCert = consortium.kits().caCertificate();
    Path coordDir = consortium.kits().coordinatorConfig().getParent();
    for (String node : HeartDisease.HOSPITALS.keySet()) {
      Path nodeDir = consortium.kits().nodeConfigs().get(node).getParent();
      int exit = new picocli.CommandLine(new org.consilium.deploy.AuditCommand()).execute("--ca", caCert.toString(),
          "--log", nodeDir.resolve("audit.log").toString(), "--cert", nodeDir.resolve("node.crt").toString(),
          "--coordinator-log", coordDir.resolve("audit.log").toString(), "--coordinator-cert", coordDir.resolve("coordinator.crt").toString());
      assertEquals(0, exit, node + "'s audit log verifies and agrees with the coordinator's");
    }
    // The programs' own logs: UTC ISO 8601 times, and the job a line is about.
    for (String program : List.of("cleveland", "coordinator")) {
      List<String> lines = Files.readAllLines(consortium.work().resolve("logs/" + program + ".log"));
      assertTrue(lines.stream().anyMatch(l -> l.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z .* job=job-[0-9a-f-]+ - .*")),
          program + "'s log lines carry a UTC date and the job id: " + lines.subList(0, Math.min(5, lines.size())));
    }
    List<String> coordinatorLog = Files.readAllLines(coordDir.resolve("audit.log"));
    assertTrue(coordinatorLog.stream().anyMatch(l -> l.contains("\"job.refused\"") && l.contains("policy.epsilon_cap")),
        "the coordinator's log records the refusal and the policy");
  }

  /**
   * The attack on real logs: cut the end of the coordinator's log, or a node's refusal from its
   * own. Each chain still verifies alone; against the other party's log, which recorded its head
   * at every offer and decision, the cut shows.
   */
  @Test
  @Order(101)
  void cuttingTheEndOfEitherRealLogShowsAgainstTheOther() throws Exception {
    Path caCert = consortium.kits().caCertificate();
    Path coordDir = consortium.kits().coordinatorConfig().getParent();
    Path swissDir = consortium.kits().nodeConfigs().get("switzerland").getParent();
    // The programs' own logs: UTC ISO 8601 times, and the job a line is about.
    for (String program : List.of("cleveland", "coordinator")) {
      List<String> lines = Files.readAllLines(consortium.work().resolve("logs/" + program + ".log"));
      assertTrue(lines.stream().anyMatch(l -> l.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z .* job=job-[0-9a-f-]+ - .*")),
          program + "'s log lines carry a UTC date and the job id: " + lines.subList(0, Math.min(5, lines.size())));
    }
    List<String> coordinatorLog = Files.readAllLines(coordDir.resolve("audit.log"));
    List<String> swissLog = Files.readAllLines(swissDir.resolve("audit.log"));
    int refusal = -1;
    for (int i = 0; i < swissLog.size(); i++) {
      if (swissLog.get(i).contains("\"job.refused\"")) refusal = i;
    }
    assertTrue(refusal > 0, "switzerland refused a job over its cap");
    assertTrue(coordinatorLog.size() > 100, "the coordinator's log has more than 100 entries: " + coordinatorLog.size());
    Path cutCoordinator = work.resolve("coordinator-cut.log");
    Path cutSwiss = work.resolve("switzerland-cut.log");
    Files.write(cutCoordinator, coordinatorLog.subList(0, coordinatorLog.size() - 100));
    Files.write(cutSwiss, swissLog.subList(0, refusal));
    String[] swiss = {"--ca", caCert.toString(), "--cert", swissDir.resolve("node.crt").toString(),
        "--coordinator-cert", coordDir.resolve("coordinator.crt").toString()};
    assertEquals(0, audit(swiss, "--log", cutSwiss.toString()), "a cut chain alone still verifies");
    assertEquals(1, audit(swiss, "--log", swissDir.resolve("audit.log").toString(), "--coordinator-log", cutCoordinator.toString()),
        "the coordinator's log without its last 100 entries lacks heads switzerland recorded");
    assertEquals(1, audit(swiss, "--log", cutSwiss.toString(), "--coordinator-log", coordDir.resolve("audit.log").toString()),
        "switzerland's log without its refusal lacks the refusal and the head the coordinator recorded");
    Files.write(cutCoordinator, coordinatorLog.subList(0, coordinatorLog.size() - 1));
    assertEquals(1, audit(new String[] {"--ca", caCert.toString(), "--cert", coordDir.resolve("coordinator.crt").toString()},
        "--log", cutCoordinator.toString(), "--min-seq", Integer.toString(coordinatorLog.size())),
        "a log one entry short of the sequence an auditor kept");
  }

  private static int audit(String[] base, String... more) {
    String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(more)).toArray(String[]::new);
    return new picocli.CommandLine(new org.consilium.deploy.AuditCommand()).execute(args);
  }

  @AfterAll
  void stop() {
    if (consortium != null) consortium.close();
  }

  private static JobResult result(JsonObject job) throws Exception {
    assertEquals("RELEASED", job.getString("status"), "job should be released: " + job.encodePrettily());
    JobResult.Builder b = JobResult.newBuilder();
    JsonFormat.parser().merge(job.getJsonObject("result").encode(), b);
    return b.build();
  }

  private StatisticsResult pooledExact(String spec, List<String> nodes) {
    Map<String, Path> csvs = new java.util.LinkedHashMap<>();
    nodes.forEach(n -> csvs.put(n, consortium.datasets().get(n)));
    return DefaultJob.pooledExact(spec, csvs);
  }

  private static void assertSameStatistics(StatisticsResult expected, StatisticsResult actual, String what) {
    assertEquals(expected.getGroupsCount(), actual.getGroupsCount());
    for (int g = 0; g < expected.getGroupsCount(); g++) {
      GroupStatistics e = expected.getGroups(g);
      GroupStatistics a = actual.getGroups(g);
      assertEquals(e.getCount(), a.getCount(), what + ": count of group " + e.getGroup());
      assertEquals(e.getSum(), a.getSum(), 1e-3, what + ": sum of group " + e.getGroup());
      assertEquals(e.getMean(), a.getMean(), 1e-6, what + ": mean of group " + e.getGroup());
      assertEquals(e.getVariance(), a.getVariance(), 1e-4, what + ": variance of group " + e.getGroup());
      assertEquals(e.getHistogramList(), a.getHistogramList(), what + ": histogram of group " + e.getGroup());
    }
  }

  @Test
  @Order(5)
  void theDataDictionaryIsTheCatalogAndJobsOutsideItAreRefusedAtSubmission() {
    RestClient.Response catalog = consortium.rest().get("api/v1/datasets/heart-disease");
    assertEquals(200, catalog.status(), catalog.body());
    JsonObject sex = new JsonObject(catalog.body()).getJsonArray("columns").stream().map(o -> (JsonObject) o)
        .filter(c -> c.getString("name").equals("sex")).findFirst().orElseThrow();
    assertEquals("categorical", sex.getString("type"));
    assertEquals("female", sex.getJsonArray("codes").getJsonObject(0).getString("label"));
    assertEquals(HeartDisease.dictionary().digest(), new JsonObject(catalog.body()).getString("sha256"));
    String ok = DefaultJob.spec("1.0");
    assertRefused(ok.replace("\"column\": \"age\"", "\"column\": \"income\""), "statistics.column");
    assertRefused(ok.replace("\"column\": \"age\",", "\"column\": \"age\", \"lower\": 0, \"upper\": 150,"), "statistics.lower/upper");
    assertRefused(ok.replace("\"heart-disease\"", "\"cancer-registry\""), "dataset");
    // An epsilon the nodes could not calibrate is a 400 naming the field (it used to be a 500, or accepted and failed at every node).
    assertRefused(DefaultJob.spec("1e-20"), "privacy.epsilon");
    assertTrue(new io.vertx.core.json.JsonArray(consortium.rest().get("api/v1/jobs").body()).isEmpty(), "nothing refused at submission became a job");
  }

  private void assertRefused(String spec, String field) {
    RestClient.Response r = consortium.rest().post("api/v1/jobs", spec);
    assertEquals(400, r.status(), r.body());
    assertTrue(new JsonObject(r.body()).getString("error").startsWith(field + ":"), "names " + field + ": " + r.body());
  }

  @Test
  @Order(10)
  void withInfiniteEpsilonTheReleaseEqualsThePooledExactValue() throws Exception {
    String spec = DefaultJob.spec("\"Infinity\"");
    JobResult r = result(consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(1)));
    assertEquals(List.copyOf(HeartDisease.HOSPITALS.keySet()), r.getAccounting().getContributorsList());
    assertSameStatistics(pooledExact(spec, List.copyOf(HeartDisease.HOSPITALS.keySet())), r.getStatistics(), "exact release");
  }

  @Test
  @Order(12)
  void aCohortFilterRestrictsEveryNodesRowsBeforeTheLocalStep() throws Exception {
    String spec = DefaultJob.spec("\"Infinity\"").replace("\"specVersion\": 1,",
        "\"specVersion\": 1, \"cohort\": [{\"column\": \"age\", \"op\": \"GE\", \"value\": 55}, {\"column\": \"cp\", \"op\": \"EQ\", \"value\": 4}],");
    JobResult r = result(consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(1)));
    var spec0 = JobSpecs.fromJson(spec);
    StatisticsQuery q = DefaultJob.query(spec0);
    List<Dataset> filtered = new java.util.ArrayList<>();
    consortium.datasets().values().forEach(p -> filtered.add(org.consilium.analytics.data.Cohort.apply(DefaultJob.load(p), spec0.getCohortList())));
    StatisticsResult expected = q.exact(Dataset.concat("pooled", filtered));
    assertSameStatistics(expected, r.getStatistics(), "cohort age >= 55 and cp = 4");
    assertTrue(expected.getGroups(1).getCount() < 300, "the filter does cut: " + expected.getGroups(1).getCount());
  }

  /** SecAgg+ (each node masks with, and shares its secrets among, 2 of the 3 others): the same exact answer. */
  @Test
  @Order(14)
  void secAggPlusOverASparseGraphGivesThePooledExactAnswer() throws Exception {
    String sparse = DefaultJob.spec("\"Infinity\"").replace("\"specVersion\": 1,", "\"specVersion\": 1, \"secaggNeighbours\": 2,");
    JobResult r = result(consortium.awaitJob(consortium.submit(sparse), Duration.ofMinutes(1)));
    assertEquals(List.copyOf(HeartDisease.HOSPITALS.keySet()), r.getAccounting().getContributorsList());
    assertSameStatistics(pooledExact(sparse, List.copyOf(HeartDisease.HOSPITALS.keySet())), r.getStatistics(), "SecAgg+ release");
    // Each site publishes the fewest neighbours it accepts, for the console's pre-check.
    for (Object o : new JsonArray(consortium.rest().get("api/v1/nodes").body())) {
      JsonObject node = (JsonObject) o;
      assertEquals(2, node.getJsonObject("policy").getInteger("secaggMinNeighbours"), "published policy of " + node.getString("id"));
    }
  }

  @Test
  @Order(15)
  void theThresholdPaillierBackendGivesTheSameExactAnswerAsMasking() throws Exception {
    String masking = DefaultJob.spec("\"Infinity\"");
    String paillier = masking.replace("\"specVersion\": 1,", "\"specVersion\": 1, \"aggregation\": \"AGGREGATION_THRESHOLD_PAILLIER\",");
    JsonObject job = consortium.awaitJob(consortium.submit(paillier), Duration.ofMinutes(2));
    JobResult he = result(job);
    JobResult mask = result(consortium.awaitJob(consortium.submit(masking), Duration.ofMinutes(1)));
    assertEquals(mask.getStatistics(), he.getStatistics(), "same job, same exact result, other protocol");
    assertSameStatistics(pooledExact(masking, List.copyOf(HeartDisease.HOSPITALS.keySet())), he.getStatistics(), "paillier release");
    assertEquals("0 contribute", job.getJsonArray("rounds").getJsonObject(0).getString("round"));
    assertEquals("1 threshold-decrypt", job.getJsonArray("rounds").getJsonObject(1).getString("round"));
  }

  @Test
  @Order(17)
  void federatedLogisticRegressionAcrossTheNodesEqualsPooledTraining() throws Exception {
    // All four hospitals, each a node process.
    String spec = DefaultJob.trainSpec("AGGREGATION_MASKING");
    JsonObject job = consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(2));
    JobResult r = result(job);
    var model = r.getModel();
    assertEquals(List.copyOf(HeartDisease.HOSPITALS.keySet()), r.getAccounting().getContributorsList());
    DefaultJob.PooledFit pooled = DefaultJob.pooledTraining(spec, consortium.datasets());
    assertEquals(pooled.names(), model.getCoefficientsList().stream().map(c -> c.getName()).toList());
    for (int j = 0; j < pooled.beta().length; j++) {
      assertEquals(pooled.beta()[j], model.getCoefficients(j).getValue(), 1e-3, "coefficient " + pooled.names().get(j));
    }
    assertEquals(pooled.auc(), model.getAuc(), 0.005, "AUC on the held-out quarter of every site");
    assertTrue(model.getEvaluatedOnHoldout());
    assertEquals(10, model.getCalibrationCount(), "a calibration curve of ten score bins");
    double calibrated = model.getCalibrationList().stream().mapToDouble(b -> b.getRows()).sum();
    assertTrue(calibrated > 50 && calibrated < 0.4 * model.getRows(), "held-out rows are about a quarter: " + calibrated);
    // Fairness per sex from securely aggregated confusion matrices equals the computation in the clear.
    assertEquals(DefaultJob.pooledFairness(spec, consortium.datasets(), model), model.getFairness(),
        "federated per-group metrics equal the pooled computation");
    assertEquals(List.of("sex=female", "sex=male"), model.getFairness().getGroupsList().stream().map(g -> g.getGroup()).toList());
    // Mitigation: per-sex thresholds for demographic parity, with the metrics after and the accuracy cost.
    var mitigation = model.getMitigation();
    assertEquals(2, mitigation.getThresholdsCount());
    assertTrue(mitigation.getAfter().getDemographicParityDifference() <= model.getFairness().getDemographicParityDifference() + 0.05,
        "parity after " + mitigation.getAfter().getDemographicParityDifference() + " vs before "
            + model.getFairness().getDemographicParityDifference());
    assertTrue(mitigation.getAccuracyBefore() > 0 && mitigation.getAccuracyAfter() > 0);
    assertEquals(DefaultJob.pooledMitigation(spec, consortium.datasets(), model), mitigation,
        "the federated mitigation equals the same algorithm on the pooled held-out rows");
    // Explanations: standard errors from the aggregated Hessian, odds ratios with intervals.
    var sexCoef = model.getCoefficientsList().stream().filter(c -> c.getName().equals("sex=1")).findFirst().orElseThrow();
    assertTrue(sexCoef.getStdError() > 0 && sexCoef.getCiLow() < sexCoef.getValue() && sexCoef.getValue() < sexCoef.getCiHigh());
    assertEquals(Math.exp(sexCoef.getValue()), sexCoef.getOddsRatio(), 1e-12);
    // Federated permutation importance and mean |SHAP| for every original feature.
    assertEquals(List.of("age", "trestbps", "chol", "thalach", "oldpeak", "sex", "cp", "exang"),
        model.getImportanceList().stream().map(i -> i.getFeature()).toList());
    var cp = model.getImportanceList().stream().filter(i -> i.getFeature().equals("cp")).findFirst().orElseThrow();
    assertTrue(cp.getPermutationLossIncrease() > 0 && cp.getMeanAbsShap() > 0, "chest pain type matters: " + cp);
    assertTrue(model.getConverged() && model.getRoundsCount() <= 10, "Newton converged in " + model.getRoundsCount() + " rounds");
    assertEquals(model.getRoundsCount(), job.getJsonArray("progress").size(), "training progress is on the job record");
    assertTrue(job.getJsonArray("rounds").getJsonObject(0).getString("round").startsWith("step 0 MOMENTS"), job.encodePrettily());

    // The model card, as JSON and as Markdown.
    RestClient.Response card = consortium.rest().get("api/v1/jobs/" + r.getJobId() + "/model-card");
    assertEquals(200, card.status(), card.body());
    JsonObject cardJson = new JsonObject(card.body());
    assertEquals("Research on federated methods; not for clinical decisions.", cardJson.getString("intendedUse"));
    assertEquals(model.getFairness().getDemographicParityDifference(),
        cardJson.getJsonObject("quantitativeAnalyses").getDouble("demographicParityDifference"), 1e-12);
    RestClient.Response md = consortium.rest().get("api/v1/jobs/" + r.getJobId() + "/model-card.md");
    assertEquals(200, md.status());
    for (String section : List.of("## Model details", "## Intended use", "## Factors", "## Metrics", "## Evaluation data",
        "## Training data", "## Quantitative analyses", "## Ethical considerations", "## Caveats")) {
      assertTrue(md.body().contains(section), "the Markdown card has " + section);
    }
    Files.writeString(work.resolve("model-card.md"), md.body());

    // Download the model and score a hospital's file with the command-line scorer.
    RestClient.Response download = consortium.rest().get("api/v1/jobs/" + r.getJobId() + "/model");
    assertEquals(200, download.status(), download.body());
    Path modelFile = work.resolve("model.json");
    Files.writeString(modelFile, download.body());
    Path scored = work.resolve("scored.csv");
    int exit = new picocli.CommandLine(new org.consilium.coordinator.cli.ScoreCommand()).execute("--model", modelFile.toString(),
        "--csv", consortium.datasets().get("cleveland").toString(), "--out", scored.toString());
    assertEquals(0, exit);
    List<String> lines = Files.readAllLines(scored);
    assertEquals(304, lines.size(), "header plus one line per Cleveland row");
    assertTrue(lines.get(0).endsWith(",score"));
    double first = Double.parseDouble(lines.get(1).substring(lines.get(1).lastIndexOf(',') + 1));
    assertTrue(first > 0 && first < 1, "a probability: " + first);
  }

  /**
   * The model registry: the released training jobs are versions of their model, with lineage;
   * an administrator approves one (with a reason, audited, once); retraining it offers its spec
   * again and the release is the next version, which on the same data has the same coefficients.
   */
  @Test
  @Order(21)
  void theModelRegistryRegistersApprovesRetrainsAndCompares() throws Exception {
    String name = org.consilium.coordinator.registry.ModelRegistry.name(new JsonObject(DefaultJob.trainSpec("AGGREGATION_MASKING")), "");
    JsonObject model = new JsonObject(consortium.rest().get("api/v1/models/" + name).body());
    int before = model.getJsonArray("versions").size();
    assertTrue(before >= 1, "the federated training of order 17 is a version of '" + name + "': " + model.encode());
    JsonObject first = model.getJsonArray("versions").getJsonObject(0);
    assertEquals("candidate", first.getString("stage"));
    JsonObject lineage = first.getJsonObject("lineage");
    assertEquals(org.consilium.analytics.SoftwareVersion.CURRENT, lineage.getString("softwareVersion"));
    assertEquals(HeartDisease.HOSPITALS.keySet(), lineage.getJsonObject("siteSoftware").fieldNames(), "each site's software version");
    assertFalse(lineage.getString("dictionarySha256").isEmpty());
    JsonObject fingerprints = lineage.getJsonObject("dataFingerprints");
    assertEquals(HeartDisease.HOSPITALS.keySet(), fingerprints.fieldNames(), "each site's data fingerprint");
    String cleveland = fingerprints.getString("cleveland");
    assertTrue(cleveland.matches("[0-9a-f]{64}"), cleveland);
    assertTrue(Files.readString(consortium.kits().nodeConfigs().get("cleveland").getParent().resolve("audit.log"))
        .contains(cleveland), "cleveland signed the same fingerprint into its own audit log");
    assertTrue(new JsonArray(consortium.rest().get("api/v1/models").body()).stream()
        .anyMatch(m -> ((JsonObject) m).getString("name").equals(name)), "the list names the model");

    String stagePath = "api/v1/models/" + name + "/versions/1/stage";
    RestClient.Response approved = consortium.rest().post(stagePath, "{\"stage\": \"approved\", \"reason\": \"equals pooled training\"}");
    assertEquals(200, approved.status(), approved.body());
    JsonObject history = new JsonObject(approved.body()).getJsonArray("stageHistory").getJsonObject(0);
    assertEquals("approved", history.getString("stage"));
    assertEquals("equals pooled training", history.getString("reason"));
    assertEquals(400, consortium.rest().post(stagePath, "{\"stage\": \"approved\", \"reason\": \"again\"}").status(), "already approved");
    assertEquals(400, consortium.rest().post(stagePath, "{\"stage\": \"approved\"}").status(), "a stage change needs a reason");
    assertEquals(400, consortium.rest().post(stagePath, "{\"stage\": \"shipped\", \"reason\": \"x\"}").status(), "no such stage");
    assertEquals(404, consortium.rest().post("api/v1/models/" + name + "/versions/99/stage",
        "{\"stage\": \"retired\", \"reason\": \"x\"}").status());
    JsonObject audited = new JsonObject(consortium.rest().get("api/v1/audit?event=model.stage_changed").body()).getJsonArray("entries")
        .getJsonObject(0).getJsonObject("details");
    assertEquals(name, audited.getString("model"));
    assertEquals("equals pooled training", audited.getString("reason"));

    RestClient.Response retrained = consortium.rest().post("api/v1/models/" + name + "/versions/1/retrain", "");
    assertEquals(201, retrained.status(), retrained.body());
    JsonObject job = consortium.awaitJob(new JsonObject(retrained.body()).getString("id"), Duration.ofMinutes(2));
    assertEquals("RELEASED", job.getString("status"), job.encodePrettily());
    JsonObject after = new JsonObject(consortium.rest().get("api/v1/models/" + name).body());
    JsonArray versions = after.getJsonArray("versions");
    assertEquals(before + 1, versions.size(), "the retrained model is the next version");
    JsonObject latest = versions.getJsonObject(versions.size() - 1);
    assertEquals(job.getString("id"), latest.getString("jobId"));
    assertEquals("candidate", latest.getString("stage"));
    assertEquals("approved", versions.getJsonObject(0).getString("stage"), "version 1 keeps its stage");
    assertEquals(fingerprints, latest.getJsonObject("lineage").getJsonObject("dataFingerprints"), "the same data, the same fingerprints");

    JsonObject compared = new JsonObject(consortium.rest().get("api/v1/models/" + name + "/compare?a=1&b=" + versions.size()).body());
    assertFalse(compared.getJsonArray("coefficients").isEmpty());
    for (Object c : compared.getJsonArray("coefficients")) {
      JsonObject co = (JsonObject) c;
      assertEquals(co.getDouble("a"), co.getDouble("b"), 1e-9, "the same spec on the same data: coefficient " + co.getString("name"));
    }
    assertEquals(compared.getJsonObject("a").getJsonObject("metrics").getDouble("auc"),
        compared.getJsonObject("b").getJsonObject("metrics").getDouble("auc"), 1e-9);
    assertEquals(404, consortium.rest().get("api/v1/models/" + name + "/compare?a=1&b=99").status());
    assertEquals(400, consortium.rest().get("api/v1/models/" + name + "/compare?a=1").status());
    assertEquals(404, consortium.rest().get("api/v1/models/no-such-model").status());
  }

  /**
   * Fairlearn's ThresholdOptimizer (equalized odds, then true positive rate parity) and the
   * Aequitas bias audit across the four node processes: the released mitigation, its randomised
   * rules and the audits before and after equal the same algorithm on the pooled held-out rows;
   * parity holds after; the model card says the decisions are randomised.
   */
  @Test
  @Order(19)
  void thresholdOptimizerAndBiasAuditAcrossTheNodesEqualThePooledAlgorithm() throws Exception {
    for (String mitigation : List.of("THRESHOLD_EQUALIZED_ODDS", "THRESHOLD_TRUE_POSITIVE_RATE_PARITY")) {
      String spec = DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"mitigation\": \"THRESHOLD_DEMOGRAPHIC_PARITY\"",
          "\"mitigation\": \"" + mitigation + "\", \"biasAudit\": {\"referenceGroup\": \"sex=female\", \"tolerance\": 0.75}");
      JobResult r = result(consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(2)));
      var model = r.getModel();
      assertEquals(DefaultJob.pooledFairness(spec, consortium.datasets(), model), model.getFairness(),
          mitigation + ": the fairness report with its bias audit equals the pooled computation");
      var audit = model.getFairness().getBiasAudit();
      assertEquals("sex=female", audit.getReferenceGroup());
      assertEquals(List.of("fdr", "for", "ppr", "pprev", "precision"), audit.getMetricsList().stream().map(m -> m.getMetric()).toList());
      var mit = model.getMitigation();
      assertEquals(DefaultJob.pooledMitigation(spec, consortium.datasets(), model), mit,
          mitigation + ": the federated ThresholdOptimizer equals the same algorithm on the pooled held-out rows");
      assertEquals("", mit.getNotApplied());
      assertEquals(List.of("sex=female", "sex=male"), mit.getPoliciesList().stream().map(p -> p.getGroup()).toList());
      double gap = mitigation.equals("THRESHOLD_EQUALIZED_ODDS") ? mit.getAfter().getEqualizedOddsDifference()
          : mit.getAfter().getEqualOpportunityDifference();
      assertEquals(0, gap, 1e-9, mitigation + ": parity after (expected rates)");
      assertTrue(mit.getAccuracyAfter() > 0.5 && mit.getAccuracyBefore() > 0.5,
          "the accuracy cost is reported: " + mit.getAccuracyBefore() + " -> " + mit.getAccuracyAfter());
      String md = consortium.rest().get("api/v1/jobs/" + r.getJobId() + "/model-card.md").body();
      assertTrue(md.contains("Decisions are randomised") && md.contains("Bias audit (Aequitas)") && md.contains("decides at random"),
          "the card records the randomised classifier and the audit: " + md);
    }
  }

  /**
   * Fairlearn's reductions across the four node processes: exponentiated gradient for
   * demographic parity, each iteration a federated weighted logistic regression, gives the mixture
   * the same computation gives with its sums taken in the clear; the mixture narrows the
   * selection-rate gap; the card and the model record the randomised classifier.
   */
  @Test
  @Order(22)
  void exponentiatedGradientAcrossTheNodesEqualsTheSameAlgorithmInTheClear() throws Exception {
    String spec = DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"mitigation\": \"THRESHOLD_DEMOGRAPHIC_PARITY\"",
        "\"mitigation\": \"EXPONENTIATED_GRADIENT_DEMOGRAPHIC_PARITY\", \"reduction\": {\"tolerance\": 0.05, \"iterations\": 3}");
    JsonObject job = consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(3));
    assertEquals("RELEASED", job.getString("status"), job.encodePrettily());
    var model = result(job).getModel();
    Map<String, Dataset> sites = new java.util.LinkedHashMap<>();
    for (Object n : job.getJsonArray("participants")) sites.put((String) n, DefaultJob.load(consortium.datasets().get((String) n)));
    var clear = org.consilium.analytics.job.InTheClear.run(org.consilium.analytics.job.Computation.of(JobSpecs.fromJson(spec), sites.size(),
        HeartDisease.dictionary()), sites, job.getInteger("threshold"), new org.consilium.analytics.dp.SkellamNoise(new SecureRandom())).getModel();
    var mit = model.getMitigation();
    assertEquals(clear.getMitigation().getMixtureCount(), mit.getMixtureCount(), mit.getMethod());
    for (int c = 0; c < mit.getMixtureCount(); c++) {
      assertEquals(clear.getMitigation().getMixture(c).getProbability(), mit.getMixture(c).getProbability(), 1e-6, "mixture weight " + (c + 1));
      for (int j = 0; j < model.getCoefficientsCount(); j++) {
        assertEquals(clear.getMitigation().getMixture(c).getCoefficients(j), mit.getMixture(c).getCoefficients(j), 1e-6,
            "mixture model " + (c + 1) + ", coefficient " + model.getCoefficients(j).getName());
      }
    }
    assertEquals(clear.getMitigation().getAfter().getDemographicParityDifference(), mit.getAfter().getDemographicParityDifference(), 1e-6,
        "the fairness report after, as in the clear");
    assertEquals(clear.getMitigation().getAccuracyAfter(), mit.getAccuracyAfter(), 1e-6);
    double before = model.getFairness().getDemographicParityDifference();
    double after = mit.getAfter().getDemographicParityDifference();
    assertTrue(after < before, "the selection-rate gap narrows: " + before + " -> " + after);
    String md = consortium.rest().get("api/v1/jobs/" + job.getString("id") + "/model-card.md").body();
    assertTrue(md.contains("ExponentiatedGradient") && md.contains("one of these " + mit.getMixtureCount() + " models is drawn"), md);
  }

  private static final String THREE = "[\"cleveland\", \"switzerland\", \"va-long-beach\"]";

  private Map<String, Dataset> loadThree() {
    Map<String, Dataset> out = new java.util.LinkedHashMap<>();
    for (String n : List.of("cleveland", "switzerland", "va-long-beach")) out.put(n, DefaultJob.load(consortium.datasets().get(n)));
    return out;
  }

  @Test
  @Order(18)
  void differentiallyPrivateTrainingCompletesAndSpendsItsBudget() throws Exception {
    JsonObject job = consortium.awaitJob(consortium.submit(DefaultJob.dpTrainSpec("1.0", THREE)), Duration.ofMinutes(2));
    JobResult r = result(job);
    var acc = r.getAccounting();
    assertTrue(acc.getEpsilon() <= 1.0 && acc.getEpsilon() > 0.9, "epsilon spent " + acc.getEpsilon());
    assertTrue(acc.getMechanism().contains("5 clipped gradient rounds"), acc.getMechanism());
    assertEquals(acc, r.getModel().getPrivacy(), "the model carries the privacy it spent");
    var model = r.getModel();
    assertEquals(5, model.getRoundsCount(), "under DP every paid-for round runs");
    assertTrue(model.getBoundedScaling(), "features were scaled by the dictionary's public bounds");
    assertEquals(List.of(55.0, 0.5, 2.5, 140.0, 135.0, 0.5, 2.0), model.getMeansList(), "midpoints of the dictionary's bounds");
    assertTrue(model.getCoefficientsList().stream().allMatch(c -> Double.isFinite(c.getValue())));
    // With about 150 held-out rows the noisy evaluation can leave a class with no rows (a few percent
    // of runs): the AUC is then undefined (NaN, shown as a dash), never a made-up number.
    if (!Double.isNaN(model.getAuc())) {
      assertTrue(model.getAuc() >= 0 && model.getAuc() <= 1, "AUC " + model.getAuc());
      assertTrue(model.getAccuracy() >= 0 && model.getAccuracy() <= 1, "accuracy " + model.getAccuracy());
      assertTrue(model.getAucInterval().getLow() <= model.getAuc() && model.getAuc() <= model.getAucInterval().getHigh(),
          "the released AUC carries its 95% interval: " + model.getAucInterval());
    }
    assertTrue(model.hasAccuracyInterval() && model.getFairness().hasDemographicParityDifferenceInterval(),
        "accuracy and fairness carry intervals too");
    // The model itself is good: its true AUC on the held-out rows, computed here in the clear.
    double trueAuc = org.consilium.simulations.bench.DpTrainingBenchmark.trueAuc(model, loadThree());
    assertTrue(trueAuc > 0.75, "DP model's true held-out AUC " + trueAuc);
    // The spend is in each participating node's durable ledger, reserved before anything was sent.
    for (String node : List.of("cleveland", "switzerland", "va-long-beach")) {
      Path ledger = consortium.kits().nodeConfigs().get(node).getParent().resolve("privacy-ledger.log");
      assertTrue(Files.readAllLines(ledger).stream().anyMatch(l -> l.contains(" RESERVE heart-disease " + r.getJobId() + " 1.05 ")),
          node + "'s ledger records the reservation for " + r.getJobId());
    }
  }

  @Test
  @Order(20)
  void theCoordinatorsRecordedTrafficNeverContainsANodesUnmaskedValue() throws Exception {
    byte[] seen = Files.readAllBytes(traffic);
    assertTrue(seen.length > 1000, "the coordinator's traffic was recorded (" + seen.length + " bytes)");
    StatisticsQuery q = DefaultJob.query(JobSpecs.fromJson(DefaultJob.spec("\"Infinity\"")));
    for (var e : consortium.datasets().entrySet()) {
      long[] unmasked = q.local(DefaultJob.load(e.getValue())).encoded().toArray();
      // As the vector would appear on the wire (packed fixed64, little endian), whole and in halves.
      byte[] whole = littleEndian(unmasked, 0, unmasked.length);
      assertFalse(contains(seen, whole), e.getKey() + "'s unmasked contribution appears in the coordinator's traffic");
      assertFalse(contains(seen, littleEndian(unmasked, 0, 3)), e.getKey() + "'s unmasked count/sum/sum of squares appear");
      assertTrue(new String(seen, java.nio.charset.StandardCharsets.ISO_8859_1).contains(e.getKey()),
          "the recording holds traffic from " + e.getKey());
    }
  }

  private static byte[] littleEndian(long[] v, int from, int to) {
    ByteBuffer b = ByteBuffer.allocate(8 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from; i < to; i++) b.putLong(v[i]);
    return b.array();
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) continue outer;
      }
      return true;
    }
    return false;
  }

  @Test
  @Order(30)
  void withEpsilonOneTheReleaseIsWithinTheExpectedNoiseBand() throws Exception {
    String spec = DefaultJob.spec("1.0");
    JobResult r = result(consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(1)));
    StatisticsResult exact = pooledExact(spec, List.copyOf(HeartDisease.HOSPITALS.keySet()));
    var acc = r.getAccounting();
    assertTrue(acc.getEpsilon() <= 1.0 && acc.getEpsilon() > 0.9, "epsilon spent " + acc.getEpsilon());
    // Each of the n=4 nodes added Sk(mu/t) with t=3: the released noise has variance (4/3) * 2 mu (counts in 256ths).
    double expectedCountSd = Math.sqrt(2 * acc.getComponents(0).getMu() * 4 / 3) / 256;
    assertEquals(expectedCountSd, acc.getComponents(0).getStddev(), 1e-9, "reported noise is that of all four shares");
    assertEquals(List.of("count", "sum", "histogram"), acc.getComponentsList().stream().map(c -> c.getName()).toList(),
        "only what was asked is released: no sum of squares for a mean");
    double countSd = acc.getComponents(0).getStddev();
    double histSd = acc.getComponents(2).getStddev();
    boolean anyNoise = false;
    for (int g = 0; g < exact.getGroupsCount(); g++) {
      GroupStatistics e = exact.getGroups(g);
      GroupStatistics d = r.getStatistics().getGroups(g);
      assertEquals(e.getLabel(), d.getLabel(), "groups carry the dictionary's labels");
      assertEquals(e.getCount(), d.getCount(), 6 * countSd, "count of group " + e.getGroup() + " within 6 sd");
      double meanHalfWidth = (d.getMeanInterval().getHigh() - d.getMeanInterval().getLow()) / 2;
      assertEquals(e.getMean(), d.getMean(), 3 * meanHalfWidth, "mean of group " + e.getGroup() + " within 3 half-widths of its interval");
      assertTrue(d.getCount() >= 0 && d.getHistogramList().stream().allMatch(b -> b >= 0), "no negative count: " + d);
      assertEquals(d.getCount(), d.getHistogramList().stream().mapToDouble(Double::doubleValue).sum(), 1e-9,
          "the diagnosis bins cover num 0..4, so they add up to the count");
      assertEquals(d.getHistogramCount(), d.getHistogramIntervalsCount(), "every bin has its interval");
      for (int b = 0; b < e.getHistogramCount(); b++) {
        assertEquals(e.getHistogram(b), d.getHistogram(b), 6 * histSd, "bin " + b + " of group " + e.getGroup());
        anyNoise |= e.getHistogram(b) != d.getHistogram(b);
      }
      anyNoise |= e.getCount() != d.getCount();
    }
    assertTrue(anyNoise, "a DP release must not equal the exact values everywhere");
  }

  @Test
  @Order(35)
  void aConsortiumDatasheetCombinesNodeAnswersWithDpCompositionPerSite() throws Exception {
    String spec = """
        {"specVersion": 1, "dataset": "heart-disease", "privacy": {"epsilon": 0.3},
         "datasheet": {"columns": ["chol", "ca", "thal"], "labelColumn": "num", "labelAbove": 0,
                       "group": {"column": "sex", "values": ["0", "1"]},
                       "distributions": [{"column": "age", "edges": [20, 40, 60, 80]}]}}""";
    JsonObject job = consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(1));
    JobResult r = result(job);
    var sheet = r.getDatasheet();
    assertTrue(r.getAccounting().getEpsilon() <= 0.3, "epsilon " + r.getAccounting().getEpsilon());
    assertEquals(List.copyOf(HeartDisease.HOSPITALS.keySet()), sheet.getCompositionList().stream().map(c -> c.getSite()).toList());
    double sd = r.getAccounting().getComponents(0).getStddev();
    for (var c : sheet.getCompositionList()) {
      Dataset d = DefaultJob.load(consortium.datasets().get(c.getSite()));
      assertEquals(d.rowCount(), c.getRows(), 6 * sd, c.getSite() + " rows within 6 sd of " + d.rowCount());
      assertEquals(3, c.getDistributions(0).getCountsCount(), "three age bins per site");
    }
    assertTrue(sheet.getAnswersList().stream().anyMatch(a -> a.getNode().equals("cleveland") && a.getSection().equals("motivation")
        && a.getText().contains("Cleveland Clinic")), "cleveland's own answer is in the datasheet");
    RestClient.Response md = consortium.rest().get("api/v1/jobs/" + r.getJobId() + "/datasheet.md");
    assertEquals(200, md.status());
    for (String section : List.of("## Motivation", "## Composition", "## Collection", "## Preprocessing", "## Uses", "## Distribution",
        "## Maintenance")) {
      assertTrue(md.body().contains(section), "the datasheet has " + section);
    }
  }

  @Test
  @Order(36)
  void aCohortBelowASitesMinimumIsNoOracle() throws Exception {
    // The attack: cohorts that differ by one patient at one site, around its minimum of 5 rows. Before, the
    // site refused one and accepted the other, naming policy.min_cohort_size, at no cost in epsilon.
    String nodes = "\"nodes\": [\"cleveland\", \"hungarian\", \"va-long-beach\"], \"threshold\": 3,";
    List<JsonObject> records = new java.util.ArrayList<>();
    for (String cohort : List.of("{\"column\": \"age\", \"op\": \"GE\", \"value\": 74}", "{\"column\": \"age\", \"op\": \"GE\", \"value\": 75}")) {
      String spec = DefaultJob.spec("0.05").replace("\"specVersion\": 1,", "\"specVersion\": 1, " + nodes + " \"cohort\": [" + cohort + "],");
      records.add(consortium.awaitJob(consortium.submit(spec), Duration.ofMinutes(1)));
    }
    for (JsonObject job : records) {
      assertEquals("RELEASED", job.getString("status"), "no refusal, whatever the cohort: " + job.encodePrettily());
      assertTrue(job.getJsonArray("refusals").isEmpty());
      assertEquals(List.of("cleveland", "hungarian", "va-long-beach"),
          job.getJsonObject("result").getJsonObject("accounting").getJsonArray("contributors").getList(), "every site is a contributor either way");
    }
    // What each site spent is the job's epsilon plus the noisy cohort test's, in its ledger, for both jobs.
    for (JsonObject job : records) {
      Path ledger = consortium.kits().nodeConfigs().get("cleveland").getParent().resolve("privacy-ledger.log");
      assertTrue(Files.readAllLines(ledger).stream().anyMatch(l -> l.contains(" RESERVE heart-disease " + job.getString("id") + " 0.1 ")),
          "0.05 for the release and 0.05 for the cohort test");
    }
  }

  @Test
  @Order(40)
  void aJobOverANodesEpsilonCapIsRefusedWithThePolicysName() {
    // Switzerland's cap is 2.5; DP training spent 1.0, the noise-band test 1.0 and the datasheet 0.3 of it.
    JsonObject job = consortium.awaitJob(consortium.submit(DefaultJob.spec("1.0")), Duration.ofMinutes(1));
    assertEquals("REFUSED", job.getString("status"), job.encodePrettily());
    assertTrue(job.getString("error").contains("switzerland") && job.getString("error").contains("policy.epsilon_cap"),
        "error names the node and the policy: " + job.getString("error"));
    JsonObject refusal = job.getJsonArray("refusals").getJsonObject(0);
    assertEquals("policy.epsilon_cap", refusal.getString("policy"));
    // The same DP training job again: switzerland has spent 2.3 of its 2.5.
    JsonObject again = consortium.awaitJob(consortium.submit(DefaultJob.dpTrainSpec("1.0", THREE)), Duration.ofMinutes(1));
    assertEquals("REFUSED", again.getString("status"), again.encodePrettily());
    assertTrue(again.getString("error").contains("switzerland") && again.getString("error").contains("policy.epsilon_cap"),
        again.getString("error"));
  }

  private int nodesPort() throws Exception {
    return org.consilium.coordinator.config.CoordinatorConfig.load(consortium.kits().coordinatorConfig(), Map.of()).nodesPort();
  }

  private X509Certificate ca() {
    return org.consilium.analytics.identity.Pem.certificate(consortium.kits().caCertificate());
  }

  private ConsortiumPki consortiumCa() {
    Path caDir = consortium.kits().caCertificate().getParent();
    var key = org.consilium.analytics.identity.Pem.privateKey(caDir.resolve("ca.key"));
    return ConsortiumPki.load("consilium-sim", new java.security.KeyPair(ca().getPublicKey(), key), ca(), new SecureRandom());
  }

  /** Whether a TLS handshake with only this protocol and suite succeeds (server certificate not checked: only the suite matters here). */
  private static boolean handshakes(int port, String protocol, String suite) {
    try {
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] c, String a) {}
        public void checkServerTrusted(X509Certificate[] c, String a) {}
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new SecureRandom());
      try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        socket.setEnabledProtocols(new String[] {protocol});
        socket.setEnabledCipherSuites(new String[] {suite});
        socket.startHandshake();
        return true;
      }
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  @Order(59)
  void onlyTls13AndAeadTls12SuitesAreAccepted() throws Exception {
    int rest = consortium.rest().base().getPort();
    for (int port : List.of(nodesPort(), rest)) {
      assertFalse(handshakes(port, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"), "CBC with SHA-1 is refused on port " + port);
      assertFalse(handshakes(port, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"), "CBC is refused on port " + port);
      assertFalse(handshakes(port, "TLSv1.1", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"), "TLS 1.1 is refused on port " + port);
      assertTrue(handshakes(port, "TLSv1.3", "TLS_AES_128_GCM_SHA256"), "TLS 1.3 works on port " + port);
      if (port == rest) {
        assertTrue(handshakes(port, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), "TLS 1.2 with an AEAD suite works on port " + port);
      }
    }
  }

  @Test
  @Order(60)
  void aClientWithoutAConsortiumCertificateIsRefused() throws Exception {
    int port = nodesPort();
    // No client certificate at all.
    assertThrows(java.io.IOException.class, () -> {
      try (TlsProbe p = new TlsProbe(port, ca(), null, null)) {
        p.readFrame();
      }
    }, "a client without a certificate must not get through");
    // A certificate from another CA, with a node's name.
    ConsortiumPki rogue = ConsortiumPki.create("rogue", Duration.ofDays(1), new SecureRandom());
    ConsortiumPki.Issued fake = rogue.issue("cleveland", "node", List.of(), Duration.ofDays(1));
    assertThrows(java.io.IOException.class, () -> {
      try (TlsProbe p = new TlsProbe(port, ca(), fake.keys(), fake.certificate())) {
        p.readFrame();
      }
    }, "a certificate from another CA must be refused");
    // A genuine consortium certificate that is not a node's (the coordinator role).
    ConsortiumPki.Issued notANode = consortiumCa().issue("impostor", "coordinator", List.of(), Duration.ofDays(1));
    try (TlsProbe p = new TlsProbe(port, ca(), notANode.keys(), notANode.certificate())) {
      Frame f = p.readFrame();
      assertTrue(TlsProbe.errorOf(f).contains("not a node certificate"), TlsProbe.errorOf(f));
      assertTrue(p.closedByServer(), "the connection is closed after the refusal");
    }
  }

  /** A member's own identity from its kit (probes need a member's certificate to get past the door). */
  private record Identity(java.security.KeyPair keys, X509Certificate certificate) {}

  private Identity member(String node) {
    Path kit = consortium.kits().nodeConfigs().get(node).getParent();
    X509Certificate cert = org.consilium.analytics.identity.Pem.certificate(kit.resolve("node.crt"));
    return new Identity(new java.security.KeyPair(cert.getPublicKey(), org.consilium.analytics.identity.Pem.privateKey(kit.resolve("node.key"))), cert);
  }

  @Test
  @Order(70)
  void malformedAndOversizedFramesAreRefusedAndTheCoordinatorStaysUp() throws Exception {
    Identity probe = member("cleveland");
    try (TlsProbe p = new TlsProbe(nodesPort(), ca(), probe.keys(), probe.certificate())) {
      p.write(new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      assertTrue(TlsProbe.errorOf(p.readFrame()).contains("malformed frame"), "malformed frame gets an error");
      p.write(new byte[] {0x7f, 0, 0, 0});
      assertTrue(TlsProbe.errorOf(p.readFrame()).contains("exceeds the limit"), "oversized frame gets an error");
      assertTrue(p.closedByServer(), "and the connection is closed");
    }
    assertEquals(3, consortium.onlineNodes().size(), "the coordinator still serves the remaining nodes");
  }

  @Test
  @Order(71)
  void aPeerBeforeHelloGetsSmallFramesADeadlineAndFewConnections() throws Exception {
    assertTrue(consortium.onlineNodes().contains("cleveland"), "the real cleveland holds one connection meanwhile");
    Identity probe = member("cleveland");
    // A frame far above what a HELLO needs, announced before HELLO: refused at once, nothing buffered for it.
    try (TlsProbe p = new TlsProbe(nodesPort(), ca(), probe.keys(), probe.certificate())) {
      p.write(new byte[] {0, 0x10, 0, 0}); // 1 MiB, within the 16 MiB frame limit but not before HELLO
      assertTrue(TlsProbe.errorOf(p.readFrame()).contains("exceeds the limit of 65536 bytes"), "a small cap before HELLO");
      assertTrue(p.closedByServer());
    }
    // Connected, silent: closed at the HELLO deadline (limits.hello_seconds = 2 here).
    try (TlsProbe p = new TlsProbe(nodesPort(), ca(), probe.keys(), probe.certificate())) {
      long t0 = System.nanoTime();
      assertTrue(TlsProbe.errorOf(p.readFrame()).contains("no HELLO within 2 s"), "the deadline is named");
      assertTrue(p.closedByServer());
      assertTrue((System.nanoTime() - t0) / 1e9 < 8, "closed at the deadline, not left open");
    }
    // One identity holds at most two connections (limits.connections_per_node): cleveland's own and one more.
    try (TlsProbe a = new TlsProbe(nodesPort(), ca(), probe.keys(), probe.certificate());
        TlsProbe b = new TlsProbe(nodesPort(), ca(), probe.keys(), probe.certificate())) {
      assertTrue(TlsProbe.errorOf(b.readFrame()).contains("too many connections"), "a third connection is refused");
      assertTrue(b.closedByServer());
    }
    // Repeated malformed frames close the connection instead of answering each one forever.
    try (TlsProbe p = new TlsProbe(nodesPort(), ca(), probe.keys(), probe.certificate())) {
      boolean closed = false;
      for (int i = 0; i < 20 && !closed; i++) {
        p.write(new byte[] {0, 0, 0, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        String error = TlsProbe.errorOf(p.readFrame());
        closed = error.contains("malformed frames; closing");
      }
      assertTrue(closed, "closed after the tenth malformed frame");
    }
    assertEquals(3, consortium.onlineNodes().size(), "the coordinator still serves its nodes");
    StringBuilder log = new StringBuilder();
    try (var files = Files.list(consortium.work().resolve("logs"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("coordinator")).toList()) log.append(Files.readString(f));
    }
    long lines = log.toString().lines().filter(l -> l.contains("node cleveland: refused frame")).count();
    assertTrue(lines >= 1, "the first bad frames are logged");
    assertTrue(lines < 10, "ten bad frames on this connection, fewer log lines (five per connection): " + lines);
  }

  @Test
  @Order(72)
  void onlyProvisionedMembersWithTheirPinnedKeysGetInAndARotationIsExplicitAndAudited() throws Exception {
    // A genuine consortium certificate for a new id is not a membership.
    ConsortiumPki.Issued mallory = consortiumCa().issue("mallory", "node", List.of(), Duration.ofDays(1));
    try (TlsProbe p = new TlsProbe(nodesPort(), ca(), mallory.keys(), mallory.certificate())) {
      assertTrue(TlsProbe.errorOf(p.readFrame()).contains("'mallory' is not a member"), "a new id is refused");
    }
    // Nor is a new key for an existing id.
    ConsortiumPki.Issued impostor = consortiumCa().issue("cleveland", "node", List.of(), Duration.ofDays(1));
    try (TlsProbe p = new TlsProbe(nodesPort(), ca(), impostor.keys(), impostor.certificate())) {
      assertTrue(TlsProbe.errorOf(p.readFrame()).contains("not the one pinned for it"), "a new key for cleveland is refused");
    }
    assertTrue(consortium.onlineNodes().contains("cleveland"), "the real cleveland was not knocked off");
    assertFalse(consortium.rest().get("api/v1/nodes").body().contains("mallory"), "mallory never reached the registry");
    // An administrator pins the new key: it is audited, and the new key gets past the door.
    String newDigest = org.consilium.analytics.identity.Digests.sha256Hex(impostor.certificate().getEncoded());
    String oldDigest = org.consilium.analytics.identity.Digests.sha256Hex(member("cleveland").certificate().getEncoded());
    RestClient.Response rotated = consortium.rest().post("api/v1/nodes/cleveland/key", "{\"certificateSha256\": \"" + newDigest + "\"}");
    assertEquals(200, rotated.status(), rotated.body());
    assertEquals(oldDigest, new JsonObject(rotated.body()).getString("previousSha256"));
    try (TlsProbe p = new TlsProbe(nodesPort(), ca(), impostor.keys(), impostor.certificate())) {
      assertTrue(TlsProbe.errorOf(p.readFrame()).contains("no HELLO within"), "the rotated key is admitted (and then held to HELLO)");
    }
    assertEquals(200, consortium.rest().post("api/v1/nodes/cleveland/key", "{\"certificateSha256\": \"" + oldDigest + "\"}").status());
    assertEquals(400, consortium.rest().post("api/v1/nodes/cleveland/key", "{\"certificateSha256\": \"abc\"}").status());
    assertEquals(404, consortium.rest().post("api/v1/nodes/mallory/key", "{\"certificateSha256\": \"" + newDigest + "\"}").status(),
        "a rotation cannot add a member");
    JsonObject first = new JsonObject(consortium.rest().get("api/v1/audit?event=node.key_rotated").body()).getJsonArray("entries")
        .getJsonObject(1).getJsonObject("details"); // newest first: [1] is the first rotation
    assertEquals(oldDigest, first.getString("previous_sha256"));
    assertEquals(newDigest, first.getString("certificate_sha256"));
    assertEquals("cleveland", first.getString("node"));
  }

  @Test
  @Order(80)
  void theRestApiAnswersNothingWithoutTheAdminCredential() throws Exception {
    for (String path : List.of("api/v1/nodes", "api/v1/jobs", "api/v1/metrics")) {
      assertEquals(401, consortium.rest().getAnonymous(path).status(), path + " without a token");
    }
    RestClient.Response ready = consortium.rest().getAnonymous("health/ready");
    assertEquals(200, ready.status(), ready.body());
    assertEquals("ready", new JsonObject(ready.body()).getString("status"), ready.body());
    assertTrue(new JsonObject(ready.body()).getJsonObject("checks").getInteger("nodes_connected") >= 3,
        "the nodes connected are counted (one may be reconnecting after the earlier scenarios): " + ready.body());
    RestClient.Response metrics = consortium.rest().get("api/v1/metrics");
    assertEquals(200, metrics.status());
    assertTrue(metrics.body().contains("consilium_jobs_finished_total{status=\"RELEASED\"}"), metrics.body());
    for (String family : List.of("consilium_jobs_finished_total", "consilium_jobs_submitted_total", "consilium_frames_received_total",
        "consilium_jobs_running", "consilium_nodes_connected", "consilium_cluster_members", "consilium_round_duration_seconds",
        "consilium_node_received_bytes_total", "consilium_node_sent_bytes_total", "consilium_certificate_days_to_expiry",
        "consilium_node_certificate_days_to_expiry_min", "consilium_node_budget_remaining_epsilon", "jvm_memory_used_bytes")) {
      assertTrue(metrics.body().lines().anyMatch(l -> l.matches("# HELP " + family + " \\S.*")), family + " has its help text: " + metrics.body());
    }
    assertTrue(metrics.body().contains("consilium_round_duration_seconds_bucket"), "round latency is a histogram");
    assertTrue(metrics.body().contains("consilium_node_budget_remaining_epsilon{dataset=\"heart-disease\",node=\"switzerland\"}"),
        "each node's budget per dataset: " + metrics.body());
    // A node's own metrics: plain text on its metrics port, nothing but budgets, decisions, its link and certificate, and the JVM.
    java.net.http.HttpResponse<String> node = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + clevelandMetricsPort + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, node.statusCode());
    for (String family : List.of("consilium_node_budget_remaining_epsilon", "consilium_node_offers_total", "consilium_node_coordinator_connected",
        "consilium_node_certificate_days_to_expiry", "jvm_memory_used_bytes")) {
      assertTrue(node.body().lines().anyMatch(l -> l.matches("# HELP " + family + " \\S.*")), "cleveland's " + family + ": " + node.body());
    }
    assertTrue(node.body().contains("consilium_node_offers_total{decision=\"accepted\",rule=\"\"}"), node.body());
    LocalConsortium.waitFor(Duration.ofSeconds(30), "cleveland's metrics to show its coordinator link up", () ->
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
            + clevelandMetricsPort + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body().lines()
            .anyMatch(l -> l.startsWith("consilium_node_coordinator_connected 1")));
    RestClient.Response bad = consortium.rest().post("api/v1/jobs", "{\"specVersion\": 1, \"dataset\": \"heart-disease\", "
        + "\"privacy\": {\"epsilon\": 1}, \"statistics\": {\"column\": \"age\", \"lower\": 5, \"upper\": 1}}");
    assertEquals(400, bad.status());
    assertTrue(bad.body().contains("statistics.lower/upper"), "the error names the field: " + bad.body());
  }

  @Test
  @Order(90)
  void withFewerThanTSurvivorsTheJobFailsCleanlyAndReleasesNothing() throws Exception {
    // Freeze va-long-beach (SIGSTOP): it holds its connection but never answers.
    consortium.pauseNode("va-long-beach", true);
    try {
      String spec = DefaultJob.spec("\"Infinity\"").replace("\"specVersion\": 1,",
          "\"specVersion\": 1, \"nodes\": [\"cleveland\", \"switzerland\", \"va-long-beach\"], \"threshold\": 3,");
      String id = consortium.submit(spec);
      JsonObject job = consortium.awaitJob(id, Duration.ofMinutes(1));
      assertEquals("FAILED", job.getString("status"), job.encodePrettily());
      assertTrue(job.getString("error").contains("round 0 advertise-keys") && job.getString("error").contains("threshold is 3"),
          "the error names the round and the threshold: " + job.getString("error"));
      assertFalse(job.containsKey("result"));
      assertEquals(409, consortium.rest().get("api/v1/jobs/" + id + "/result").status(), "no result is released");
    } finally {
      consortium.pauseNode("va-long-beach", false);
    }
  }

  @Test
  @Order(45)
  void aNodeDroppingOutMidTrainingLeavesTheSurvivorsToFinishAndTheRecordSaysWho() throws Exception {
    // Four nodes, t = 3. Hungarian answers every round 0.6 s late; once the first Newton step
    // is under way it freezes (SIGSTOP), misses the round deadline, and later steps run with the
    // three survivors.
    String spec = DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"specVersion\": 1,", "\"specVersion\": 1, \"threshold\": 3,");
    String id = consortium.submit(spec);
    LocalConsortium.waitFor(Duration.ofSeconds(60), "the first Newton step of " + id,
        () -> consortium.job(id).getInteger("step", 0) >= 1);
    consortium.pauseNode("hungarian", true);
    try {
      JsonObject job = consortium.awaitJob(id, Duration.ofMinutes(2));
      JobResult r = result(job);
      assertEquals(List.of("hungarian"), r.getAccounting().getDroppedList());
      List<?> first = job.getJsonArray("rounds").getJsonObject(0).getJsonArray("participants").getList();
      assertTrue(first.contains("hungarian"), "hungarian took part at the start: " + first);
      var lastRound = r.getModel().getRounds(r.getModel().getRoundsCount() - 1);
      assertEquals(List.of("cleveland", "switzerland", "va-long-beach"), lastRound.getParticipantsList(),
          "the last Newton round records the survivors");
      assertTrue(r.getModel().getConverged(), "the survivors' fit converged");
    } finally {
      consortium.pauseNode("hungarian", false);
    }
    // Let hungarian drain its stale frames and reconnect fully before the next scenario.
    LocalConsortium.waitFor(Duration.ofSeconds(30), "hungarian online", () -> consortium.onlineNodes().contains("hungarian"));
  }

  @Test
  @Order(50)
  void aNodeKilledMidRoundStillYieldsTheExactSumOfTheSurvivorsInputs() throws Exception {
    String spec = DefaultJob.spec("\"Infinity\"");
    String id = consortium.submit(spec);
    // Wait until share-keys has closed: every node now holds shares of hungarian's keys, and
    // hungarian is sitting on its masked input for 0.6 s. Kill it there.
    LocalConsortium.waitFor(Duration.ofSeconds(30), "round 1 of " + id + " to close",
        () -> consortium.job(id).getJsonArray("rounds").size() >= 2);
    consortium.kill("hungarian");
    JsonObject job = consortium.awaitJob(id, Duration.ofMinutes(1));
    JobResult r = result(job);
    List<String> survivors = List.of("cleveland", "switzerland", "va-long-beach");
    assertEquals(survivors, r.getAccounting().getContributorsList());
    assertEquals(List.of("hungarian"), r.getAccounting().getDroppedList());
    assertSameStatistics(pooledExact(spec, survivors), r.getStatistics(), "release after hungarian dropped");
    JsonArray rounds = job.getJsonArray("rounds");
    JsonObject masked = rounds.getJsonObject(2);
    assertEquals("2 masked-input", masked.getString("round"));
    assertEquals(new JsonArray(List.of("hungarian")), masked.getJsonArray("missing"), "the job records who dropped where");
  }
}
