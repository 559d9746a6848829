package org.consilium.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.wire.GroupBy;
import org.consilium.analytics.wire.GroupStatistics;
import org.consilium.analytics.wire.Histogram;
import org.consilium.analytics.wire.StatisticsResult;
import org.consilium.analytics.wire.StatisticsSpec;
import org.consilium.mpc.ring.RingVector;
import org.junit.jupiter.api.Test;

class StatisticsQueryTest {
  private static final double NaN = Double.NaN;

  private static StatisticsSpec spec() {
    return StatisticsSpec.newBuilder().setColumn("age").setVariance(true)
        .setGroupBy(GroupBy.newBuilder().setColumn("sex").addValues("0").addValues("1"))
        .setHistogram(Histogram.newBuilder().setColumn("num").addEdges(0).addEdges(1).addEdges(5)).build();
  }

  private static StatisticsQuery query(StatisticsSpec spec, boolean noisy) {
    return StatisticsQuery.of(spec, TestDictionaries.heart(), noisy);
  }

  private static final org.consilium.analytics.dp.Accounting EXACT = org.consilium.analytics.dp.Accounting.exact();

  private static Dataset data(double[] age, double[] sex, double[] num) {
    Map<String, double[]> cols = new LinkedHashMap<>();
    cols.put("age", age);
    cols.put("sex", sex);
    cols.put("num", num);
    return Dataset.ofColumns("t", cols);
  }

  @Test
  void knownAnswerForTwoGroups() {
    Dataset d = data(new double[] {40, 50, 60, 120, NaN, 30}, new double[] {0, 0, 1, 1, 1, 2},
        new double[] {0, 1, 4, 5, 0, 0});
    StatisticsQuery q = query(spec(), false);
    StatisticsResult r = q.release(q.local(d).encoded(), EXACT, 2, 2);
    assertEquals(4, q.local(d).cohortSize(), "NaN age and the undeclared sex 2 are left out");
    var women = r.getGroups(0);
    assertEquals("female", women.getLabel(), "the group's label comes from the data dictionary");
    assertEquals(2, women.getCount());
    assertEquals(45, women.getMean(), 1e-9);
    assertEquals(50, women.getVariance(), 1e-9, "sample variance of 40, 50");
    assertEquals(List.of(1.0, 1.0), women.getHistogramList());
    assertFalse(women.hasCountInterval(), "an exact release carries no noise interval");
    var men = r.getGroups(1);
    assertEquals(80, men.getMean(), 1e-9, "120 is clipped to the dictionary's upper bound 100");
    assertEquals(List.of(0.0, 2.0), men.getHistogramList(), "5 falls in the last, closed bin");
  }

  @Test
  void sumOfLocalContributionsEqualsThePooledExactComputation() {
    Dataset a = data(new double[] {40.25, 50}, new double[] {0, 1}, new double[] {0, 1});
    Dataset b = data(new double[] {61.5, 33.125, 77}, new double[] {1, 1, 0}, new double[] {2, 0, 3});
    StatisticsQuery q = query(spec(), false);
    RingVector sum = q.local(a).encoded().plus(q.local(b).encoded());
    StatisticsResult secure = q.release(sum, EXACT, 2, 2);
    StatisticsResult pooled = q.exact(Dataset.concat("pooled", List.of(a, b)));
    for (int g = 0; g < 2; g++) {
      assertEquals(pooled.getGroups(g).getCount(), secure.getGroups(g).getCount());
      assertEquals(pooled.getGroups(g).getMean(), secure.getGroups(g).getMean(), 1e-4);
      assertEquals(pooled.getGroups(g).getVariance(), secure.getGroups(g).getVariance(), 1e-3);
      assertEquals(pooled.getGroups(g).getHistogramList(), secure.getGroups(g).getHistogramList());
    }
  }

  @Test
  void invalidSpecsNameTheField() {
    var bad = spec().toBuilder().setLower(5).setUpper(5).build();
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> query(bad, true));
    assertEquals("statistics.lower/upper", e.field());
    var edges = spec().toBuilder().setHistogram(Histogram.newBuilder().setColumn("num").addEdges(1).addEdges(1)).build();
    assertEquals("statistics.histogram.edges", assertThrows(InvalidSpecException.class, () -> query(edges, true)).field());
    var groups = spec().toBuilder().setGroupBy(GroupBy.newBuilder().setColumn("sex").addValues("m")).build();
    assertEquals("statistics.group_by.values", assertThrows(InvalidSpecException.class, () -> query(groups, true)).field());
    var undeclared = spec().toBuilder().setGroupBy(GroupBy.newBuilder().setColumn("sex").addValues("2")).build();
    assertEquals("statistics.group_by.values", assertThrows(InvalidSpecException.class, () -> query(undeclared, true)).field(),
        "2 is not a code of sex in the dictionary");
  }

  @Test
  void boundsComeFromTheDictionaryAndMayOnlyNarrow() {
    var column = spec().toBuilder().setColumn("income").build();
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> query(column, true));
    assertEquals("statistics.column", e.field());
    assertTrue(e.getMessage().contains("not a column of dataset 'heart' in the data dictionary"), e.getMessage());
    var wider = spec().toBuilder().setLower(-10).setUpper(100).build();
    e = assertThrows(InvalidSpecException.class, () -> query(wider, true));
    assertTrue(e.getMessage().contains("never widen"), e.getMessage());
    // Narrower bounds halve the range, and with it the sum's sensitivity (in data units).
    var narrow = query(spec().toBuilder().setLower(20).setUpper(70).build(), true);
    var full = query(spec(), true);
    double narrowSum = narrow.noiseComponents().get(1).l2Sensitivity() / Math.scalb(1.0, narrow.fractionalBits()[1]);
    double fullSum = full.noiseComponents().get(1).l2Sensitivity() / Math.scalb(1.0, full.fractionalBits()[1]);
    assertEquals(25, narrowSum, 1e-9, "the centred sum moves by at most the half-range 25");
    assertEquals(50, fullSum, 1e-9, "with the dictionary's [0, 100], by 50 (not max(|lower|, |upper|) = 100)");
  }

  @Test
  void onlyWhatIsAskedIsReleased() {
    StatisticsQuery withVariance = query(spec(), true);
    StatisticsQuery meanOnly = query(spec().toBuilder().setVariance(false).clearHistogram().build(), true);
    assertEquals(List.of("count", "sum", "sum_of_squares", "histogram"), withVariance.noiseComponents().stream().map(c -> c.name()).toList());
    assertEquals(List.of("count", "sum"), meanOnly.noiseComponents().stream().map(c -> c.name()).toList());
    assertTrue(meanOnly.plan(1, 1e-6).mu()[1] < withVariance.plan(1, 1e-6).mu()[1],
        "fewer released quantities leave more budget, so less noise on the sum");
    Dataset d = data(new double[] {40, 50}, new double[] {0, 1}, new double[] {0, 1});
    GroupStatistics g = meanOnly.release(meanOnly.local(d).encoded(), EXACT, 2, 2).getGroups(0);
    assertTrue(Double.isNaN(g.getVariance()), "no variance when it was not asked for");
  }

  @Test
  void noisePlanCalibratesToEpsilonAndScalesSensitivityWithTheFixedPoint() {
    StatisticsQuery q = query(spec(), true);
    var plan = q.plan(1.0, 1e-6);
    assertTrue(plan.epsilon() <= 1.0, "spent " + plan.epsilon());
    var acc = plan.release(3, List.of("a", "b", "c"), List.of());
    var count = acc.getComponents(0);
    assertEquals("count", count.getName());
    assertTrue(count.getStddev() > 1 && count.getStddev() < 20, "count noise stddev at eps=1: " + count.getStddev());
    assertTrue(acc.getComponents(1).getL2Sensitivity() <= 4096, "sum sensitivity capped at 2^12 encoded units");
    assertEquals(1.0, acc.getNoiseFactor(), 1e-12, "all three contributed at t = 3: exactly the noise the guarantee needs");
    assertEquals(Math.sqrt(4 / 3.0), plan.release(3, List.of("a", "b", "c", "d"), List.of()).getNoiseFactor(), 1e-12);
  }

  /**
   * Property: over many noisy releases of random data, no count, bin or variance is negative,
   * bins never exceed their count (and equal it when they cover the column), the mean stays in
   * the bounds, and every value has an interval that contains it.
   */
  @Test
  void noisyReleasesAreAlwaysConsistent() {
    Random r = new Random(11);
    SkellamNoise noise = new SkellamNoise(new SecureRandom());
    StatisticsSpec covering = spec().toBuilder().setHistogram(Histogram.newBuilder().setColumn("num")
        .addEdges(0).addEdges(1).addEdges(2).addEdges(3).addEdges(4).addEdges(5)).build();
    for (StatisticsSpec s : List.of(spec(), covering)) {
      StatisticsQuery q = query(s, true);
      for (int run = 0; run < 150; run++) {
        int n = r.nextInt(12);
        double[] age = new double[n];
        double[] sex = new double[n];
        double[] num = new double[n];
        for (int i = 0; i < n; i++) {
          age[i] = r.nextDouble() * 110 - 5;
          sex[i] = r.nextInt(2);
          num[i] = r.nextInt(6);
        }
        var plan = q.plan(0.3 + r.nextDouble(), 1e-6);
        RingVector v = q.local(data(age, sex, num)).encoded().plus(q.noiseShare(plan, 2, noise)).plus(q.noiseShare(plan, 2, noise));
        for (GroupStatistics g : q.release(v, plan, 2, 2).getGroupsList()) {
          String where = s.getHistogram().getEdgesCount() + " edges, run " + run + ": " + g;
          assertTrue(g.getCount() >= 0 && g.getCount() == Math.rint(g.getCount()), "a whole, non-negative count: " + where);
          double bins = g.getHistogramList().stream().mapToDouble(Double::doubleValue).sum();
          assertTrue(g.getHistogramList().stream().allMatch(b -> b >= 0), "no negative bin: " + where);
          if (s == covering) assertEquals(g.getCount(), bins, 1e-9, "bins covering the column add up to the count: " + where);
          else assertTrue(bins <= g.getCount() + 1e-9, "bins never hold more rows than the count: " + where);
          assertTrue(g.getCount() == 0 || (g.getMean() >= 0 && g.getMean() <= 100), "mean within the bounds: " + where);
          assertTrue(Double.isNaN(g.getVariance()) || g.getVariance() >= 0, "variance never negative: " + where);
          assertTrue(g.getCountInterval().getLow() >= 0 && g.getCountInterval().getLow() <= g.getCountInterval().getHigh(), where);
          assertEquals(g.getHistogramCount(), g.getHistogramIntervalsCount(), "an interval per bin: " + where);
          assertTrue(g.hasMeanInterval() && g.hasVarianceInterval(), where);
        }
      }
    }
  }

  @Test
  void intervalsCoverTheTruthAboutNinetyFivePercentOfTheTime() {
    Random r = new Random(3);
    SkellamNoise noise = new SkellamNoise(new SecureRandom());
    StatisticsQuery q = query(spec().toBuilder().clearGroupBy().setVariance(false).clearHistogram().build(), true);
    int n = 400;
    double[] age = new double[n];
    for (int i = 0; i < n; i++) age[i] = 30 + r.nextDouble() * 40;
    Dataset d = data(age, new double[n], new double[n]);
    GroupStatistics truth = q.exact(d).getGroups(0);
    var plan = q.plan(0.5, 1e-6);
    int countCovered = 0;
    int meanCovered = 0;
    int runs = 400;
    for (int run = 0; run < runs; run++) {
      GroupStatistics g = q.release(q.local(d).encoded().plus(q.noiseShare(plan, 1, noise)), plan, 1, 1).getGroups(0);
      if (g.getCountInterval().getLow() <= truth.getCount() && truth.getCount() <= g.getCountInterval().getHigh()) countCovered++;
      if (g.getMeanInterval().getLow() <= truth.getMean() && truth.getMean() <= g.getMeanInterval().getHigh()) meanCovered++;
    }
    assertTrue(countCovered > 0.9 * runs && countCovered < runs, "count interval covered the truth " + countCovered + "/" + runs);
    assertTrue(meanCovered > 0.9 * runs && meanCovered < runs, "mean interval covered the truth " + meanCovered + "/" + runs);
  }
}
