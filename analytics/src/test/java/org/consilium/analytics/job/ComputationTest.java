package org.consilium.analytics.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.StepStart;
import org.junit.jupiter.api.Test;

/** The contract every computation keeps, exercised in the clear (no cryptography, no network). */
class ComputationTest {
  private static final DataDictionary DICTIONARY = TestDictionaries.dictionary();
  private static final SkellamNoise NOISE = new SkellamNoise(new SecureRandom());

  private static JobSpec spec(String privacy, String computation) {
    return JobSpecs.fromJson("{\"specVersion\":1,\"dataset\":\"heart\",\"privacy\":" + privacy
        + ",\"cohort\":[{\"column\":\"chol\",\"op\":\"GE\",\"value\":0}]," + computation + "}");
  }

  private static final String STATISTICS = "\"statistics\":{\"column\":\"age\",\"variance\":true,"
      + "\"groupBy\":{\"column\":\"sex\",\"values\":[\"0\",\"1\"]},\"histogram\":{\"column\":\"num\",\"edges\":[0,1,5]}}";
  private static final String DATASHEET = "\"datasheet\":{\"columns\":[\"chol\"],\"labelColumn\":\"num\",\"labelAbove\":0,"
      + "\"group\":{\"column\":\"sex\",\"values\":[\"0\",\"1\"]}}";
  private static final String TRAIN = "\"train\":{\"model\":\"LOGISTIC\",\"numericFeatures\":[\"x\",\"age\"],\"target\":\"y\","
      + "\"positiveAbove\":0.5,\"standardize\":true}";

  private static Map<String, Dataset> sites(int n, int rows, long seed) {
    Random r = new Random(seed);
    Map<String, Dataset> out = new LinkedHashMap<>();
    for (int s = 0; s < n; s++) {
      Map<String, double[]> cols = new LinkedHashMap<>();
      for (String c : List.of("age", "sex", "num", "chol", "x", "y")) cols.put(c, new double[rows]);
      for (int i = 0; i < rows; i++) {
        cols.get("age")[i] = 20 + r.nextInt(70);
        cols.get("sex")[i] = r.nextInt(2);
        cols.get("num")[i] = r.nextInt(5);
        cols.get("chol")[i] = r.nextInt(10) == 0 ? Double.NaN : 150 + r.nextInt(200);
        cols.get("x")[i] = r.nextGaussian();
        cols.get("y")[i] = r.nextDouble() < 1 / (1 + Math.exp(-cols.get("x")[i])) ? 1 : 0;
      }
      out.put("site-" + s, Dataset.ofColumns("site-" + s, cols));
    }
    return out;
  }

  @Test
  void buildingAComputationIsValidatingItsSpec() {
    assertEquals("statistics.column", assertThrows(InvalidSpecException.class,
        () -> Computation.of(spec("{\"epsilon\":1}", STATISTICS.replace("\"age\"", "\"weight\"")), 2, DICTIONARY)).field());
    assertEquals("cohort.column", assertThrows(InvalidSpecException.class,
        () -> Computation.of(spec("{\"epsilon\":1}", STATISTICS).toBuilder().setCohort(0,
            org.consilium.analytics.wire.Condition.newBuilder().setColumn("zip")).build(), 2, DICTIONARY)).field());
    assertEquals("computation", assertThrows(InvalidSpecException.class,
        () -> Computation.of(JobSpecs.fromJson("{\"specVersion\":1,\"dataset\":\"heart\",\"privacy\":{\"epsilon\":1}}"), 2, DICTIONARY))
        .field());
    assertInstanceOf(TrainingComputation.class, Computation.of(spec("{\"epsilon\":1}", TRAIN), 2, DICTIONARY));
  }

  @Test
  void theColumnsAComputationReadsIncludeItsCohortFilter() {
    assertEquals(List.of("age", "sex", "num", "chol"), Computation.of(spec("{\"epsilon\":1}", STATISTICS), 2, DICTIONARY).columns());
    assertEquals(List.of("x", "age", "y", "chol"), Computation.of(spec("{\"epsilon\":1}", TRAIN), 2, DICTIONARY).columns());
  }

  @Test
  void exactStatisticsInTheClearEqualThePooledStatistics() {
    for (long seed = 1; seed <= 5; seed++) {
      Map<String, Dataset> sites = sites(3, 40 + (int) seed * 7, seed);
      StatisticsComputation c = (StatisticsComputation) Computation.of(spec("{\"epsilon\":\"Infinity\"}", STATISTICS), 3, DICTIONARY);
      JobResult r = InTheClear.run(c, sites, 2, NOISE);
      assertEquals(c.query().exact(Dataset.concat("pooled", List.copyOf(sites.values()))), r.getStatistics(), "seed " + seed);
      assertEquals(Double.POSITIVE_INFINITY, r.getAccounting().getEpsilon());
      assertEquals(0, r.getAccounting().getComponentsCount(), "an exact release has no noise components");
    }
  }

  @Test
  void aDpReleaseReportsOneNoiseFormulaForEveryComputation() {
    Map<String, Dataset> sites = sites(3, 60, 7);
    for (String computation : List.of(STATISTICS, DATASHEET, TRAIN)) {
      JobResult r = InTheClear.run(Computation.of(spec("{\"epsilon\":1}", computation), 3, DICTIONARY), sites, 2, NOISE);
      var acc = r.getAccounting();
      assertTrue(acc.getEpsilon() <= 1.0 + 1e-9, computation + ": spent " + acc.getEpsilon());
      assertEquals(Math.sqrt(3 / 2.0), acc.getNoiseFactor(), 1e-12, "3 contributors to noise calibrated for 2");
      for (var comp : acc.getComponentsList()) {
        double unit = Math.scalb(1.0, comp.getFractionalBits());
        assertEquals(Math.sqrt(2 * comp.getMu() * 3 / 2) / unit, comp.getStddev(), 1e-9 * comp.getStddev(),
            computation + " " + comp.getName() + ": stddev = sqrt(2 mu c / t) / unit");
      }
    }
  }

  @Test
  void aDatasheetCarriesEachSitesNarrativeBesideItsCounts() {
    Map<String, Dataset> sites = sites(2, 30, 3);
    Computation c = Computation.of(spec("{\"epsilon\":\"Infinity\"}", DATASHEET), 2, DICTIONARY);
    Computation.Driver driver = c.driver(List.copyOf(sites.keySet()), 2,
        site -> List.of(DatasheetAnswer.newBuilder().setSection("collection").setText("collected at " + site).build()));
    var sum = c.contributor(sites.get("site-0"), 1, 2, NOISE).input(c.openingStep().orElseThrow())
        .plus(c.contributor(sites.get("site-1"), 2, 2, NOISE).input(c.openingStep().orElseThrow()));
    var sheet = ((Computation.Outcome.Release) driver.onAggregate(sum, List.copyOf(sites.keySet()))).result().getDatasheet();
    assertEquals(30, sheet.getComposition(0).getRows());
    assertEquals(List.of("collected at site-0", "collected at site-1"), sheet.getAnswersList().stream().map(a -> a.getText()).toList());
  }

  @Test
  void aOneStepContributorGivesItsInputOnceAndToNoOtherStep() {
    Computation c = Computation.of(spec("{\"epsilon\":1}", STATISTICS), 2, DICTIONARY);
    Computation.Contributor node = c.contributor(sites(1, 10, 1).get("site-0"), 1, 2, NOISE);
    StepStart gradient = StepStart.newBuilder().setKind(StepStart.Kind.GRADIENT).build();
    assertThrows(IllegalArgumentException.class, () -> node.input(gradient), "a statistics job has no gradient step");
    node.input(c.openingStep().orElseThrow());
    var e = assertThrows(IllegalArgumentException.class, () -> node.input(c.openingStep().orElseThrow()));
    assertTrue(e.getMessage().contains("already"), e.getMessage());
  }

  @Test
  void aDpTrainingContributorRefusesARoundItsReservationDidNotPayFor() {
    Computation c = Computation.of(spec("{\"epsilon\":1}", TRAIN), 2, DICTIONARY);
    assertTrue(c.openingStep().isEmpty(), "training waits for the coordinator's steps");
    Computation.Driver driver = c.driver(List.of("site-0", "site-1"), 2, s -> List.of());
    Computation.Contributor node = c.contributor(sites(1, 50, 2).get("site-0"), 1, 2, NOISE);
    StepStart first = driver.current();
    assertEquals(StepStart.Kind.GRADIENT, first.getKind());
    for (int round = 0; round < 5; round++) node.input(first);
    var e = assertThrows(IllegalArgumentException.class, () -> node.input(first));
    assertTrue(e.getMessage().contains("paid for 5 gradient rounds"), e.getMessage());
  }
}
