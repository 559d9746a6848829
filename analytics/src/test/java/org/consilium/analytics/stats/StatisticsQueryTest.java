package org.consilium.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.wire.GroupBy;
import org.consilium.analytics.wire.Histogram;
import org.consilium.analytics.wire.StatisticsResult;
import org.consilium.analytics.wire.StatisticsSpec;
import org.consilium.mpc.ring.RingVector;
import org.junit.jupiter.api.Test;

class StatisticsQueryTest {
  private static final double NaN = Double.NaN;

  private static StatisticsSpec spec() {
    return StatisticsSpec.newBuilder().setColumn("age").setLower(0).setUpper(100)
        .setGroupBy(GroupBy.newBuilder().setColumn("sex").addValues("0").addValues("1"))
        .setHistogram(Histogram.newBuilder().setColumn("num").addEdges(0).addEdges(1).addEdges(5)).build();
  }

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
    StatisticsQuery q = StatisticsQuery.of(spec(), false);
    StatisticsResult r = q.release(q.local(d).encoded());
    assertEquals(4, q.local(d).cohortSize(), "NaN age and the undeclared sex 2 are left out");
    var women = r.getGroups(0);
    assertEquals(2, women.getCount());
    assertEquals(45, women.getMean(), 1e-9);
    assertEquals(50, women.getVariance(), 1e-9, "sample variance of 40, 50");
    assertEquals(List.of(1.0, 1.0), women.getHistogramList());
    var men = r.getGroups(1);
    assertEquals(80, men.getMean(), 1e-9, "120 is clipped to the declared upper bound 100");
    assertEquals(List.of(0.0, 2.0), men.getHistogramList(), "5 falls in the last, closed bin");
  }

  @Test
  void sumOfLocalContributionsEqualsThePooledExactComputation() {
    Dataset a = data(new double[] {40.25, 50}, new double[] {0, 1}, new double[] {0, 1});
    Dataset b = data(new double[] {61.5, 33.125, 77}, new double[] {1, 1, 0}, new double[] {2, 0, 3});
    StatisticsQuery q = StatisticsQuery.of(spec(), false);
    RingVector sum = q.local(a).encoded().plus(q.local(b).encoded());
    StatisticsResult secure = q.release(sum);
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
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> StatisticsQuery.of(bad, true));
    assertEquals("statistics.lower/upper", e.field());
    var edges = spec().toBuilder().setHistogram(Histogram.newBuilder().setColumn("num").addEdges(1).addEdges(1)).build();
    assertEquals("statistics.histogram.edges", assertThrows(InvalidSpecException.class, () -> StatisticsQuery.of(edges, true)).field());
    var groups = spec().toBuilder().setGroupBy(GroupBy.newBuilder().setColumn("sex").addValues("m")).build();
    assertEquals("statistics.group_by.values", assertThrows(InvalidSpecException.class, () -> StatisticsQuery.of(groups, true)).field());
  }

  @Test
  void noisePlanCalibratesToEpsilonAndScalesSensitivityWithTheFixedPoint() {
    StatisticsQuery q = StatisticsQuery.of(spec(), true);
    var plan = q.plan(1.0, 1e-6);
    assertTrue(plan.epsilon() <= 1.0, "spent " + plan.epsilon());
    var acc = q.accounting(plan, 3, List.of("a", "b", "c"), List.of());
    var count = acc.getComponents(0);
    assertEquals("count", count.getName());
    assertTrue(count.getStddev() > 1 && count.getStddev() < 20, "count noise stddev at eps=1: " + count.getStddev());
    assertTrue(acc.getComponents(1).getL2Sensitivity() <= 65536, "sum sensitivity capped at 2^16 encoded units");
  }
}
