package org.consilium.analytics.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.DatasheetSpec;
import org.consilium.analytics.wire.Histogram;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.junit.jupiter.api.Test;

class DatasheetQueryTest {
  private static final double NaN = Double.NaN;

  @Test
  void eachSiteFillsOnlyItsOwnBlockAndTheSumShowsEverySite() {
    DatasheetSpec spec = DatasheetSpec.newBuilder().addColumns("chol").setLabelColumn("num").setLabelAbove(0)
        .setGroup(CategoricalFeature.newBuilder().setColumn("sex").addValues("0").addValues("1"))
        .addDistributions(Histogram.newBuilder().setColumn("age").addEdges(0).addEdges(50).addEdges(100)).build();
    DatasheetQuery q = new DatasheetQuery(spec, 2, org.consilium.analytics.dictionary.TestDictionaries.heart());
    Map<String, double[]> a = new LinkedHashMap<>();
    a.put("chol", new double[] {200, NaN, 250});
    a.put("num", new double[] {0, 1, 2});
    a.put("sex", new double[] {0, 1, 1});
    a.put("age", new double[] {40, 60, 70});
    Map<String, double[]> b = new LinkedHashMap<>(a);
    b.put("chol", new double[] {NaN, NaN, NaN});
    var sum = q.local(Dataset.ofColumns("a", a), 1).plus(q.local(Dataset.ofColumns("b", b), 2));
    var sheet = q.release(sum, List.of("site-a", "site-b"), PrivacyAccounting.getDefaultInstance());
    var sa = sheet.getComposition(0);
    assertEquals(3, sa.getRows());
    assertEquals(List.of(1.0), sa.getMissingList());
    assertEquals(2, sa.getLabelPositive());
    assertEquals(List.of(1.0, 2.0), sa.getGroupRowsList());
    assertEquals(List.of(1.0, 2.0), sa.getDistributions(0).getCountsList(), "age 40 | 60, 70");
    assertEquals(List.of(3.0), sheet.getComposition(1).getMissingList(), "site b's block is its own");
  }
}
