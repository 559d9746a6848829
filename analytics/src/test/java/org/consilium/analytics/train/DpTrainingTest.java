package org.consilium.analytics.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.data.TestTables;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.Condition;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.mpc.ring.RingVector;
import org.junit.jupiter.api.Test;

class DpTrainingTest {
  private static final DatasetDictionary DICTIONARY = TestDictionaries.heart();
  private static final TrainSpec SPEC = TrainSpec.newBuilder().setModel(TrainSpec.Model.LOGISTIC)
      .addNumericFeatures("x").addNumericFeatures("age").setTarget("y").setPositiveAbove(0.5).setStandardize(true).build();

  private static TrainingJob job(TrainSpec spec, double epsilon, int sites) {
    return new TrainingJob(spec, DICTIONARY, epsilon, 1e-6, sites);
  }

  /** Two sites of a logistic truth in x (bounds [-5, 5]) and age ([0, 100]), with a 0/1 split column. */
  private static List<Dataset> sites(int rows, long seed) {
    Random r = new Random(seed);
    List<Dataset> out = new java.util.ArrayList<>();
    for (int s = 0; s < 2; s++) {
      double[] x = new double[rows];
      double[] age = new double[rows];
      double[] y = new double[rows];
      double[] g = new double[rows];
      double[] split = new double[rows];
      for (int i = 0; i < rows; i++) {
        x[i] = r.nextGaussian() * 1.5;
        age[i] = 30 + r.nextDouble() * 50;
        y[i] = r.nextDouble() < GlmNewton.sigmoid(-0.5 + 1.2 * x[i] + 0.03 * (age[i] - 55)) ? 1 : 0;
        g[i] = r.nextInt(2);
        split[i] = i % 4 == 0 ? 1 : 0;
      }
      Map<String, double[]> cols = new LinkedHashMap<>();
      cols.put("x", x);
      cols.put("age", age);
      cols.put("y", y);
      cols.put("g", g);
      cols.put("split", split);
      out.add(Dataset.ofColumns("site" + s, cols));
    }
    return out;
  }

  /** Runs a job with each site's real local step and noise share, summed as secure aggregation would. */
  static TrainedModel run(TrainSpec spec, double epsilon, List<Dataset> data, int threshold) {
    List<String> names = List.of("site-a", "site-b");
    TrainingJob coordinator = job(spec, epsilon, data.size());
    List<TrainingJob> nodes = List.of(job(spec, epsilon, data.size()), job(spec, epsilon, data.size()));
    List<StepAllowance> allowances = nodes.stream().map(TrainingJob::allowance).toList();
    TrainingJob.Driver driver = coordinator.driver(names, threshold);
    SkellamNoise noise = new SkellamNoise(seeded(17));
    while (true) {
      StepStart step = driver.current();
      RingVector sum = null;
      for (int i = 0; i < data.size(); i++) {
        boolean rows = allowances.get(i).admit(step.getKind()).first();
        RingVector v = nodes.get(i).local(step, data.get(i), i, rows).plus(nodes.get(i).noiseShare(step, rows, threshold, noise));
        sum = sum == null ? v : sum.plus(v);
      }
      TrainedModel m = driver.onAggregate(sum, names);
      if (m != null) return m;
    }
  }

  /** A deterministic generator, so that these tests see the same noise at every run. */
  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The model's AUC on the held-out rows of the sites, computed in the clear (the test's reference). */
  private static double trueHoldoutAuc(TrainedModel model, List<Dataset> data) {
    return new ModelScorer(model).evaluationAuc(data);
  }

  @Test
  void gradientDescentWithoutClippingReachesTheNewtonSolution() {
    Random rng = new Random(4);
    double[][] x = new double[400][];
    double[] y = new double[400];
    for (int i = 0; i < 400; i++) {
      double a = rng.nextGaussian();
      double b = rng.nextGaussian();
      x[i] = new double[] {1, a, b};
      y[i] = rng.nextDouble() < GlmNewton.sigmoid(0.5 + a - b) ? 1 : 0;
    }
    FeatureSpace.Rows rows = new FeatureSpace.Rows(x, y);
    GlmNewton newton = new GlmNewton(TrainSpec.Model.LOGISTIC, 3, 1.0);
    var exact = NewtonTrainer.train(newton, 3, 25, 1e-10, b -> newton.localStep(rows, b));
    GlmGradient gd = new GlmGradient(TrainSpec.Model.LOGISTIC, 3, 1.0, 2.0, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    double[] beta = new double[3];
    for (int r = 0; r < 3000; r++) beta = gd.combine(gd.localStep(rows, beta), beta).beta();
    assertArrayEquals(exact.beta(), beta, 1e-6, "both minimise the same penalised loss");
  }

  @Test
  void clippingBoundsEachExamplesGradient() {
    GlmGradient gd = new GlmGradient(TrainSpec.Model.LINEAR, 2, 0, 1, 1.0, 5.0);
    double[] sums = gd.localStep(new FeatureSpace.Rows(new double[][] {{1, 100}}, new double[] {-50}), new double[] {0, 0});
    assertEquals(1, sums[0]);
    assertEquals(5.0, sums[1], 1e-12, "the loss 1250 is capped at 5");
    assertEquals(1.0, Math.hypot(sums[2], sums[3]), 1e-12, "the gradient (50, 5000) is scaled to norm 1");
  }

  @Test
  void oneRecordMovesAnEncodedGradientRoundByAtMostTheClipNormRoundingIncluded() {
    TrainingJob job = job(SPEC, 1.0, 2);
    Dataset base = sites(150, 8).get(0);
    StepStart first = job.driver(List.of("a", "b"), 2).current();
    Random r = new Random(5);
    for (int trial = 0; trial < 40; trial++) {
      StepStart.Builder step = first.toBuilder().clearBeta();
      for (int j = 0; j < first.getBetaCount(); j++) step.addBeta(8 * r.nextGaussian());
      Dataset plus = TestTables.withRow(base, Map.of("x", trial % 2 == 0 ? 5 : -5 * r.nextDouble(), "age", 100 * r.nextDouble(),
          "y", (double) r.nextInt(2), "g", (double) r.nextInt(2), "split", 0.0));
      long[] a = job.local(step.build(), plus, 0, false).toArray();
      long[] b = job.local(step.build(), base, 0, false).toArray();
      double l2 = 0;
      for (int i = 0; i < a.length; i++) l2 += Math.pow(a[i] - b[i], 2);
      assertTrue(Math.sqrt(l2) <= 256 * TrainingJob.DP_CLIP + 1e-9, "one record moved the encoded gradient by " + Math.sqrt(l2)
          + " in l2; the accounting declares " + 256 * TrainingJob.DP_CLIP + " (clip norm x 256 units, each node's rounding included)");
    }
  }

  @Test
  void dpFeaturesAreScaledByTheDictionarysPublicBoundsAndClipped() {
    Dataset d = Dataset.ofColumns("t", new LinkedHashMap<>(Map.of("x", new double[] {-5, 0, 5, 12}, "age", new double[] {0, 50, 100, -20},
        "y", new double[] {0, 1, 0, 1})));
    TrainingJob dp = job(SPEC, 1.0, 1);
    StepStart step = dp.driver(List.of("a"), 1).current();
    assertEquals(List.of(0.0, 50.0), step.getMeansList(), "midpoints of [-5, 5] and [0, 100]");
    assertEquals(List.of(5.0, 50.0), step.getScalesList(), "half-ranges");
    FeatureSpace.Rows rows = dp.features().rows(d, Standardization.bounded(new double[] {-5, 0}, new double[] {5, 100}));
    assertArrayEquals(new double[] {1, 1, 1}, rows.x()[2], 1e-12);
    assertArrayEquals(new double[] {1, 1, -1}, rows.x()[3], 1e-12, "12 and -20 lie outside the bounds: clipped to 1 and -1");
    // A coordinator cannot make a DP step scale by something that depends on the data.
    StepStart forged = step.toBuilder().setMeans(0, 0.37).build();
    assertThrows(IllegalArgumentException.class, () -> dp.local(forged, d, 0, true));
  }

  @Test
  void theWholeJobMeetsItsEpsilonAndMoreRoundsNeedMoreNoise() {
    TrainingJob five = job(SPEC.toBuilder().setMaxRounds(5).build(), 1.0, 2);
    var acc = five.accounting(3, List.of("a", "b", "c"), List.of());
    assertTrue(acc.getEpsilon() <= 1.0 && acc.getEpsilon() > 0.95, "epsilon spent " + acc.getEpsilon());
    TrainingJob ten = job(SPEC.toBuilder().setMaxRounds(10).build(), 1.0, 2);
    double mu5 = acc.getComponents(1).getMu(); // the gradient's (after the row count's)
    double mu10 = ten.accounting(3, List.of("a", "b", "c"), List.of()).getComponents(1).getMu();
    assertTrue(mu10 > 1.5 * mu5, "twice the rounds at the same epsilon need about twice the variance: " + mu5 + " -> " + mu10);
    SkellamNoise sampler = new SkellamNoise(new SecureRandom());
    long[] first = five.noiseShare(StepStart.newBuilder().setKind(StepStart.Kind.GRADIENT).build(), true, 3, sampler).toArray();
    long[] later = five.noiseShare(StepStart.newBuilder().setKind(StepStart.Kind.GRADIENT).build(), false, 3, sampler).toArray();
    assertTrue(first[0] != 0 || first[2] != 0, "the first round carries noise on its count and gradient");
    assertEquals(0, later[0], "later rounds release no count");
    assertEquals(0, later[1], "no round releases a loss under DP");
    TrainingJob withGroups = job(SPEC.toBuilder().addSensitiveFeatures(CategoricalFeature.newBuilder().setColumn("g").addValues("0")
        .addValues("1")).build(), 1.0, 2);
    for (StepStart.Kind kind : List.of(StepStart.Kind.GRADIENT, StepStart.Kind.EVALUATE)) {
      assertEquals(withGroups.vectorLength(kind), withGroups.noiseShare(StepStart.newBuilder().setKind(kind).build(), true, 3, sampler).length(), "noise covers the whole " + kind + " vector");
    }
  }

  @Test
  void aNodeAdmitsOnlyTheStepsTheAccountingPaidFor() {
    StepAllowance a = job(SPEC.toBuilder().setMaxRounds(2).build(), 1.0, 2).allowance();
    assertTrue(a.admit(StepStart.Kind.GRADIENT).first(), "the first gradient round (it releases the row count)");
    assertEquals(new StepAllowance.Admitted(0, 1), a.admit(StepStart.Kind.GRADIENT));
    assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.GRADIENT), "a third round was not paid for");
    a.admit(StepStart.Kind.EVALUATE);
    assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.GRADIENT), "no gradient round after the evaluation");
    assertThrows(IllegalArgumentException.class, () -> a.admit(StepStart.Kind.EVALUATE), "nor a second evaluation");
    StepAllowance b = job(SPEC, 1.0, 2).allowance();
    assertThrows(IllegalArgumentException.class, () -> b.admit(StepStart.Kind.NEWTON), "DP has no Newton step");
    assertThrows(IllegalArgumentException.class, () -> b.admit(StepStart.Kind.IMPORTANCE), "nor unbounded importance sums");
  }

  @Test
  void dpTrainingLearnsAndReportsHonestMetricsWithIntervals() {
    List<Dataset> data = sites(600, 9);
    TrainedModel exact = run(SPEC.toBuilder().setHoldoutFraction(0.3).build(), Double.POSITIVE_INFINITY, data, 2);
    TrainedModel dp = run(SPEC.toBuilder().setHoldoutFraction(0.3).build(), 1.0, data, 2);
    assertTrue(dp.getBoundedScaling());
    assertTrue(dp.getAccuracy() >= 0 && dp.getAccuracy() <= 1, "accuracy " + dp.getAccuracy());
    assertTrue(dp.getAuc() >= 0 && dp.getAuc() <= 1, "auc " + dp.getAuc());
    assertTrue(dp.getAucInterval().getLow() <= dp.getAuc() && dp.getAuc() <= dp.getAucInterval().getHigh(), "auc inside its interval");
    assertTrue(dp.getAccuracyInterval().getHigh() <= 1 && dp.getAccuracyInterval().getLow() >= 0);
    double exactAuc = trueHoldoutAuc(exact, data);
    assertTrue(exactAuc > 0.75, "the truth is learnable: exact AUC " + exactAuc);
    assertTrue(trueHoldoutAuc(dp, data) > exactAuc - 0.05, "the DP model ranks nearly as well as the exact one: "
        + trueHoldoutAuc(dp, data) + " vs " + exactAuc);
    assertTrue(Double.isNaN(dp.getRounds(0).getLoss()), "no loss is released per DP round");
    assertEquals(2, exact.getSitesCount(), "exact jobs evaluate per site");
    assertEquals(0, dp.getSitesCount(), "DP jobs evaluate per site only when asked (it costs noise)");
    TrainedModel perSite = run(SPEC.toBuilder().setHoldoutFraction(0.3).setPerSiteEvaluation(true).build(), 1.0, data, 2);
    assertEquals(List.of("site-a", "site-b"), perSite.getSitesList().stream().map(s -> s.getSite()).toList());
    assertTrue(perSite.getSitesList().stream().allMatch(s -> s.hasAucInterval() && s.getRows() >= 0));
  }

  /**
   * The regression behind "Accuracy 1 beside AUC 0.46": the accuracy divided clipped correct
   * counts by a separately noised row count and capped the ratio at 1. Now both come from the
   * same noisy histogram: over many releases of a known histogram (accuracy 0.6, AUC about
   * 0.65, 150 rows) the estimates centre on the truth and their intervals cover it.
   */
  @Test
  void dpAccuracyAndAucAreUnbiasedAndTheirIntervalsCoverTheTruth() {
    int bins = 10;
    double[] h = new double[2 * bins];
    // Positives mostly above 0.5 (45 of 75 correct), negatives mostly below (45 of 75 correct): accuracy 0.6.
    for (int b = 0; b < bins; b++) {
      h[b] = b >= bins / 2 ? 9 : 6;
      h[bins + b] = b < bins / 2 ? 9 : 6;
    }
    double trueAuc = ScoreHistogram.auc(h);
    Evaluation e = new Evaluation(SPEC, bins, 1, 3, List.of(), new double[0][], true);
    Random r = new Random(8);
    double sd = 4;
    int runs = 300;
    double meanAccuracy = 0;
    double meanAuc = 0;
    int accuracyCovered = 0;
    int aucCovered = 0;
    for (int run = 0; run < runs; run++) {
      double[] sums = new double[e.length()];
      for (int i = 0; i < h.length; i++) sums[i] = h[i] + r.nextGaussian() * sd;
      TrainedModel.Builder m = TrainedModel.newBuilder();
      e.release(m, sums, new double[] {0, sd, 0, 0}, List.of("a"));
      assertTrue(m.getAccuracy() >= 0 && m.getAccuracy() <= 1);
      meanAccuracy += m.getAccuracy() / runs;
      meanAuc += m.getAuc() / runs;
      if (m.getAccuracyInterval().getLow() <= 0.6 && 0.6 <= m.getAccuracyInterval().getHigh()) accuracyCovered++;
      if (m.getAucInterval().getLow() <= trueAuc && trueAuc <= m.getAucInterval().getHigh()) aucCovered++;
    }
    assertEquals(0.6, meanAccuracy, 0.02, "accuracy estimates centre on the truth (clipped bins over a separate count gave 1)");
    assertEquals(trueAuc, meanAuc, 0.02, "AUC estimates centre on the truth (zeroing negative bins pulls them to 0.5)");
    assertTrue(accuracyCovered > 0.88 * runs, "accuracy interval covered the truth " + accuracyCovered + "/" + runs);
    assertTrue(aucCovered > 0.88 * runs, "AUC interval covered the truth " + aucCovered + "/" + runs);
  }

  @Test
  void aDeclaredSplitEvaluatesOnTheRowsItNames() {
    List<Dataset> data = sites(400, 5);
    TrainSpec split = SPEC.toBuilder().addEvaluationRows(Condition.newBuilder().setColumn("split").setOp(Condition.Op.EQ).setValue(1)).build();
    TrainedModel m = run(split, Double.POSITIVE_INFINITY, data, 2);
    assertEquals(200, m.getSitesList().stream().mapToDouble(s -> s.getRows()).sum(), 1e-9, "a quarter of 2 x 400 rows have split == 1");
    assertEquals(600, m.getRows(), 1e-9, "the others train");
    assertTrue(m.getEvaluation().contains("split == 1"), m.getEvaluation());
    assertEquals(100, m.getSites(0).getRows(), 1e-9);
    assertTrue(m.getSites(0).getAuc() > 0.6 && m.getSites(1).getAuc() > 0.6, "per-site AUC " + m.getSitesList());
    assertEquals("train.evaluation_rows", assertThrows(InvalidSpecException.class,
        () -> job(split.toBuilder().setHoldoutFraction(0.2).build(), 1.0, 2)).field());
    assertEquals("train.evaluation_rows", assertThrows(InvalidSpecException.class, () -> job(SPEC.toBuilder()
        .addEvaluationRows(Condition.newBuilder().setColumn("admission_date").setOp(Condition.Op.GT).setValue(20240101)).build(), 1.0, 2)).field());
  }

  @Test
  void twoSensitiveFeaturesGiveIntersectionalGroupsWithDictionaryLabels() {
    TrainSpec spec = SPEC.toBuilder()
        .addSensitiveFeatures(CategoricalFeature.newBuilder().setColumn("sex").addValues("0").addValues("1"))
        .addSensitiveFeatures(CategoricalFeature.newBuilder().setColumn("g").addValues("0").addValues("1"))
        .build();
    TrainingJob job = job(spec, Double.POSITIVE_INFINITY, 1);
    var rows = new LinkedHashMap<String, double[]>();
    rows.put("x", new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8});
    rows.put("age", new double[] {10, 20, 10, 20, 10, 20, 10, 20});
    rows.put("y", new double[] {1, 0, 1, 0, 0, 1, 1, 0});
    rows.put("sex", new double[] {0, 0, 1, 1, 0, 0, 1, 1});
    rows.put("g", new double[] {1, 0, 1, 0, 1, 0, 1, 0});
    var data = Dataset.ofColumns("t", rows);
    var driver = job.driver(List.of("x"), 1);
    TrainedModel model = null;
    while (model == null) {
      var step = driver.current().toBuilder().addAllParticipants(List.of("x")).build();
      model = driver.onAggregate(job.local(step, data, 0, false), List.of("x"));
    }
    assertEquals(List.of("sex=female & g=a", "sex=female & g=b", "sex=male & g=a", "sex=male & g=b"),
        model.getFairness().getGroupsList().stream().map(g -> g.getGroup()).toList());
    assertTrue(model.getFairness().getGroupsList().stream().allMatch(g -> g.getSuppressed()), "two rows per group are below the minimum of 10");
  }

  @Test
  void dpTrainingRefusesWhatItCannotProtect() {
    assertEquals("train.missing", assertThrows(InvalidSpecException.class,
        () -> job(SPEC.toBuilder().setMissing(TrainSpec.MissingPolicy.IMPUTE_MEAN).build(), 1.0, 2)).field());
    assertEquals("train.optimizer", assertThrows(InvalidSpecException.class,
        () -> job(SPEC.toBuilder().setOptimizer(TrainSpec.Optimizer.NEWTON).build(), 1.0, 2)).field());
    assertEquals("train.numeric_features", assertThrows(InvalidSpecException.class,
        () -> job(SPEC.toBuilder().addNumericFeatures("income").build(), 1.0, 2)).field(), "a column outside the dictionary");
    assertEquals("train.sensitive_features", assertThrows(InvalidSpecException.class, () -> job(SPEC.toBuilder()
        .addSensitiveFeatures(CategoricalFeature.newBuilder().setColumn("sex").addValues("0").addValues("9")).build(), 1.0, 2)).field(),
        "9 is not a code of sex");
  }
}
