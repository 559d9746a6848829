package org.consilium.analytics.data;

import java.util.LinkedHashMap;
import java.util.Map;

/** Test tables: a site's rows with one more record, for the privacy tests' neighbouring datasets. */
public final class TestTables {
  private TestTables() {}

  /** base with one more record at its end; record names every column of base. */
  public static Dataset withRow(Dataset base, Map<String, Double> record) {
    Map<String, double[]> one = new LinkedHashMap<>();
    for (String c : base.columns()) {
      Double v = record.get(c);
      if (v == null) throw new IllegalArgumentException("the record has no value for " + c);
      one.put(c, new double[] {v});
    }
    return Dataset.concat(base.source() + " and one more record", java.util.List.of(base, Dataset.ofColumns("record", one)));
  }
}
