package org.consilium.analytics.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.InTheClear;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.train.TrainingJob;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.Coefficient;
import org.consilium.analytics.wire.DriftReport;
import org.consilium.analytics.wire.DriftSpec;
import org.consilium.analytics.wire.FeatureDrift;
import org.consilium.analytics.wire.Histogram;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.Privacy;
import org.consilium.analytics.wire.TrainSpec;
import org.consilium.analytics.wire.TrainedModel;
import org.junit.jupiter.api.Test;

class DriftTest {
  private static final double NaN = Double.NaN;
  private static final SkellamNoise NOISE = new SkellamNoise(new SecureRandom());

  /** A logistic model of num > 0 on age, chol and sex, on the raw scale. */
  static TrainedModel model() {
    TrainSpec spec = TrainSpec.newBuilder().setModel(TrainSpec.Model.LOGISTIC).addNumericFeatures("age").addNumericFeatures("chol")
        .addCategoricalFeatures(CategoricalFeature.newBuilder().setColumn("sex").addValues("0").addValues("1"))
        .setTarget("num").setPositiveAbove(0).build();
    TrainedModel.Builder m = TrainedModel.newBuilder().setModelVersion(TrainingJob.MODEL_VERSION).setSpec(spec)
        .addAllNumericFeatures(List.of("age", "chol")).addAllMeans(List.of(0.0, 0.0)).addAllScales(List.of(1.0, 1.0));
    for (double b : new double[] {-6, 0.08, 0.004, 0.6}) m.addCoefficients(Coefficient.newBuilder().setValue(b));
    return m.build();
  }

  /** A site of n patients: age about 55 (+ shift), cholesterol about 240, 70% men, the label drawn from the model. */
  static Dataset site(String name, int n, long seed, double ageShift) {
    Random r = new Random(seed);
    double[] age = new double[n];
    double[] chol = new double[n];
    double[] sex = new double[n];
    double[] num = new double[n];
    for (int i = 0; i < n; i++) {
      age[i] = Math.rint(55 + 9 * r.nextGaussian() + ageShift);
      chol[i] = i % 17 == 0 ? NaN : Math.rint(240 + 50 * r.nextGaussian());
      sex[i] = r.nextDouble() < 0.7 ? 1 : 0;
      double z = -6 + 0.08 * age[i] + 0.004 * (Double.isNaN(chol[i]) ? 240 : chol[i]) + 0.6 * sex[i];
      num[i] = r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 + r.nextInt(3) : 0;
    }
    Map<String, double[]> cols = new LinkedHashMap<>();
    cols.put("age", age);
    cols.put("chol", chol);
    cols.put("sex", sex);
    cols.put("num", num);
    return Dataset.ofColumns(name, cols);
  }

  static Map<String, Dataset> hospitals(double firstSiteAgeShift) {
    Map<String, Dataset> sites = new LinkedHashMap<>();
    sites.put("cleveland", site("cleveland", 303, 1, firstSiteAgeShift));
    sites.put("hungarian", site("hungarian", 294, 2, 0));
    sites.put("switzerland", site("switzerland", 123, 3, 0));
    sites.put("va", site("va", 200, 4, 0));
    return sites;
  }

  static JobSpec spec(double epsilon, boolean perSite) {
    return JobSpec.newBuilder().setSpecVersion(1).setDataset("heart").setPrivacy(Privacy.newBuilder().setEpsilon(epsilon))
        .setDrift(DriftSpec.newBuilder().setModel(model()).setPerSite(perSite)).build();
  }

  static DriftComparison.Measurement measure(String id, double epsilon, Map<String, Dataset> sites) {
    Computation c = Computation.of(spec(epsilon, true), sites.size(), TestDictionaries.dictionary());
    JobResult r = InTheClear.run(c, sites, 3, NOISE);
    return new DriftComparison.Measurement(id, r.getDrift(), r.getAccounting());
  }

  @Test
  void populationStabilityIndexAndJensenShannonDistanceKnownAnswers() {
    assertEquals(0, DriftMeasures.psi(new double[] {50, 50}, new double[] {50, 50}), 1e-15, "equal distributions");
    // p = (90.5, 10.5) / 101, q reversed: 2 (80 / 101) ln(90.5 / 10.5)
    assertEquals(2 * (80 / 101.0) * Math.log(90.5 / 10.5), DriftMeasures.psi(new double[] {90, 10}, new double[] {10, 90}), 1e-12);
    assertEquals(3.412237, DriftMeasures.psi(new double[] {90, 10}, new double[] {10, 90}), 5e-6, "hand-computed value");
    assertEquals(0, DriftMeasures.jensenShannon(new double[] {3, 1}, new double[] {30, 10}), 1e-12, "same proportions");
    assertEquals(1, DriftMeasures.jensenShannon(new double[] {1, 0}, new double[] {0, 1}), 1e-12, "disjoint");
    // p = (1/2, 1/2), q = (1, 0), m = (3/4, 1/4): JSD = 1/4 log2(2/3) + 1/4 log2(2) + 1/2 log2(4/3) = 0.311278
    assertEquals(Math.sqrt(0.3112781244591328), DriftMeasures.jensenShannon(new double[] {1, 1}, new double[] {1, 0}), 1e-12);
    assertTrue(Double.isNaN(DriftMeasures.psi(new double[] {0, 0}, new double[] {1, 1})), "an empty histogram has no PSI");
    assertEquals(0.25, DriftMeasures.calibrationError(new double[] {0, 0.5, 1}, new double[] {0, 10}, new double[] {10, 0}), 1e-12,
        "bins centred at 0.25 and 0.75 observed at 0 and 1");
  }

  @Test
  void anExactMeasurementShowsEachSitesOwnHistogramsAndThePooledOneTheirSum() {
    Map<String, Dataset> sites = hospitals(0);
    Computation perSite = Computation.of(spec(Double.POSITIVE_INFINITY, true), 4, TestDictionaries.dictionary());
    var result = InTheClear.run(perSite, sites, 3, NOISE).getDrift();
    var pooled = InTheClear.run(Computation.of(spec(Double.POSITIVE_INFINITY, false), 4, TestDictionaries.dictionary()), sites, 3, NOISE)
        .getDrift();
    assertEquals(List.of("cleveland", "hungarian", "switzerland", "va"), result.getSitesList().stream().map(s -> s.getSite()).toList());
    assertEquals(List.of(DriftQuery.POOLED), pooled.getSitesList().stream().map(s -> s.getSite()).toList());
    double[] pooledAge = new double[10];
    int i = 0;
    for (var e : sites.entrySet()) {
      Dataset d = e.getValue();
      double[] age = new double[10];
      int missingChol = 0;
      for (int r = 0; r < d.rowCount(); r++) {
        age[DriftQuery.bin(new double[] {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, Math.min(100, Math.max(0, d.value(r, "age"))))]++;
        if (Double.isNaN(d.value(r, "chol"))) missingChol++;
      }
      var s = result.getSites(i++);
      assertEquals(d.rowCount(), s.getRows(), e.getKey() + " rows: the age histogram's total");
      assertEquals(java.util.Arrays.stream(age).boxed().toList(), s.getFeatures(0).getCountsList(), e.getKey() + ": its own age histogram");
      assertEquals(d.rowCount() - missingChol, s.getFeatures(1).getCountsList().stream().mapToDouble(Double::doubleValue).sum(), 1e-9,
          e.getKey() + ": a missing cholesterol is in no bin");
      assertEquals(List.of(-0.5, 0.5, 1.5), s.getFeatures(2).getEdgesList(), "sex: one bin per code");
      for (int b = 0; b < 10; b++) pooledAge[b] += age[b];
      double labelled = s.getPositivesList().stream().mapToDouble(Double::doubleValue).sum()
          + s.getNegativesList().stream().mapToDouble(Double::doubleValue).sum();
      assertEquals(d.rowCount() - missingChol, labelled, 1e-9, "rows the model scores (DROP_ROWS) with a label");
    }
    assertEquals(java.util.Arrays.stream(pooledAge).boxed().toList(), pooled.getSites(0).getFeatures(0).getCountsList(), "pooled = the sum");
  }

  @Test
  void exactMeasurementsOfUnchangedDataShowNoDriftAndTheSamePerformance() {
    var a = measure("base", Double.POSITIVE_INFINITY, hospitals(0));
    var b = measure("now", Double.POSITIVE_INFINITY, hospitals(0));
    DriftReport r = DriftComparison.compare(a, b, DriftComparison.DEFAULT_PSI_THRESHOLD);
    assertEquals(4 * 4, r.getFeaturesCount(), "3 features and the score at 4 sites");
    for (FeatureDrift f : r.getFeaturesList()) {
      assertEquals(0, f.getPsi(), 1e-12, f.toString());
      assertEquals(0, f.getNoiseFloor(), "no noise, no floor");
    }
    assertEquals(0, r.getAlertsCount());
    r.getPerformanceList().forEach(p -> {
      assertEquals(p.getBaselineAuc(), p.getAuc(), 1e-12, p.getSite());
      assertTrue(p.getAuc() > 0.6, p.getSite() + ": the labels follow the model, AUC " + p.getAuc());
    });
  }

  @Test
  void dpNoiseAloneRaisesNoAlertOverRepeatedRunsOnUnchangedData() {
    var baseline = measure("base", 2.0, hospitals(0));
    for (int run = 0; run < 50; run++) {
      DriftReport r = DriftComparison.compare(baseline, measure("run-" + run, 2.0, hospitals(0)), DriftComparison.DEFAULT_PSI_THRESHOLD);
      assertEquals(List.of(), r.getAlertsList(), "run " + run + ": unchanged data, no alert expected");
      r.getFeaturesList().forEach(f -> assertTrue(f.getNoiseFloor() > 0 || !f.getNote().isEmpty(),
          "a DP release has a noise floor, or says why there is no index: " + f));
    }
  }

  @Test
  void aShiftedSiteRaisesAnAlertNamingItAndTheFeature() {
    var baseline = measure("base", 2.0, hospitals(0));
    DriftReport r = DriftComparison.compare(baseline, measure("shifted", 2.0, hospitals(10)), DriftComparison.DEFAULT_PSI_THRESHOLD);
    assertTrue(r.getAlertsList().stream().anyMatch(a -> a.getSite().equals("cleveland") && a.getFeature().equals("age")),
        "cleveland's ages moved by 10 years: expected an alert on (cleveland, age), got " + r.getAlertsList());
    r.getAlertsList().forEach(a -> assertEquals("cleveland", a.getSite(), "only cleveland changed: " + a));
    FeatureDrift age = r.getAlertsList().stream().filter(a -> a.getFeature().equals("age")).findFirst().orElseThrow();
    assertTrue(age.getPsi() > DriftComparison.DEFAULT_PSI_THRESHOLD + age.getNoiseFloor(), "above the threshold plus the noise floor: " + age);
    assertTrue(age.getPsiInterval().getLow() < age.getPsi() && age.getPsi() < age.getPsiInterval().getHigh(), "inside its interval: " + age);
    assertTrue(age.getJsDistance() > 0.2, "the Jensen-Shannon distance shows it too: " + age);
  }

  /** The table without one row. */
  private static Dataset without(Dataset d, int row) {
    Map<String, double[]> cols = new LinkedHashMap<>();
    for (String c : d.columns()) {
      double[] v = new double[d.rowCount() - 1];
      for (int r = 0, k = 0; r < d.rowCount(); r++) if (r != row) v[k++] = d.value(r, c);
      cols.put(c, v);
    }
    return Dataset.ofColumns(d.source(), cols);
  }

  @Test
  void oneRecordMovesOnlyItsSitesBlockAndNoMoreThanTheDeclaredSensitivities() {
    DriftQuery q = new DriftQuery(spec(1, true).getDrift(), 4, TestDictionaries.heart());
    var plan = q.plan(1, 1e-6).components();
    assertEquals(List.of("features", "scores"), plan.stream().map(c -> c.name()).toList());
    int featureBins = q.features().stream().mapToInt(h -> h.getEdgesCount() - 1).sum();
    int block = q.vectorLength() / 4;
    Dataset d = site("va", 200, 4, 0);
    var all = q.local(d, 3);
    Random pick = new Random(3);
    for (int trial = 0; trial < 50; trial++) {
      int row = pick.nextInt(d.rowCount());
      var less = q.local(without(d, row), 3);
      double[] l1 = new double[2];
      double[] l2 = new double[2];
      for (int i = 0; i < q.vectorLength(); i++) {
        double diff = Math.abs((double) (all.get(i) - less.get(i)));
        if (diff == 0) continue;
        assertEquals(2, i / block, "row " + row + " moved coordinate " + i + ", outside its site's block (party 3)");
        int c = i % block < featureBins ? 0 : 1;
        l1[c] += diff;
        l2[c] += diff * diff;
      }
      for (int c = 0; c < 2; c++) {
        assertTrue(l1[c] <= plan.get(c).l1Sensitivity() + 1e-9 && Math.sqrt(l2[c]) <= plan.get(c).l2Sensitivity() + 1e-9,
            "row " + row + ", " + plan.get(c).name() + ": moved by l1 " + l1[c] + ", l2 " + Math.sqrt(l2[c]) + "; declared "
                + plan.get(c).l1Sensitivity() + ", " + plan.get(c).l2Sensitivity());
      }
    }
  }

  @Test
  void aSpecIsCheckedAgainstTheModelAndTheDictionary() {
    JobSpec bad = spec(1, true).toBuilder().setDrift(spec(1, true).getDrift().toBuilder()
        .addFeatures(Histogram.newBuilder().setColumn("trestbps").addEdges(80).addEdges(120).addEdges(200))).build();
    var e = assertThrows(InvalidSpecException.class, () -> Computation.of(bad, 4, TestDictionaries.dictionary()));
    assertTrue(e.getMessage().contains("drift.features") && e.getMessage().contains("not a feature of the model"), e.getMessage());
    JobSpec bins = spec(1, true).toBuilder().setDrift(spec(1, true).getDrift().toBuilder().setScoreBins(1)).build();
    assertTrue(assertThrows(InvalidSpecException.class, () -> Computation.of(bins, 4, TestDictionaries.dictionary())).getMessage()
        .contains("drift.score_bins"));
    JobSpec noModel = spec(1, true).toBuilder().setDrift(DriftSpec.getDefaultInstance()).build();
    assertTrue(assertThrows(InvalidSpecException.class, () -> Computation.of(noModel, 4, TestDictionaries.dictionary())).getMessage()
        .contains("drift.model"));
    assertEquals("drift", JobSpecs.computation(spec(1, true)));
    assertTrue(Computation.of(spec(1, true), 4, TestDictionaries.dictionary()).releasesPerSite());
    assertFalse(Computation.of(spec(1, false), 4, TestDictionaries.dictionary()).releasesPerSite());
  }
}
