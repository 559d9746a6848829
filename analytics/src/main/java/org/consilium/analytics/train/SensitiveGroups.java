package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.consilium.analytics.dictionary.ColumnDefinition;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.CategoricalFeature;
import org.consilium.analytics.wire.TrainSpec;

/** The groups a fairness report is broken down by: the product of the sensitive features' declared codes, with the dictionary's labels. */
final class SensitiveGroups {
  private SensitiveGroups() {}

  /** The labels and value tuples of the sensitive groups (the cartesian product of the declared values). */
  static double[][] of(TrainSpec spec, DatasetDictionary dictionary, List<String> labels) {
    List<double[]> tuples = new ArrayList<>();
    tuples.add(new double[0]);
    List<String> names = new ArrayList<>(List.of(""));
    for (var f : spec.getSensitiveFeaturesList()) {
      List<double[]> next = new ArrayList<>();
      List<String> nextNames = new ArrayList<>();
      for (int t = 0; t < tuples.size(); t++) {
        for (String v : f.getValuesList()) {
          double[] tuple = Arrays.copyOf(tuples.get(t), tuples.get(t).length + 1);
          try {
            tuple[tuple.length - 1] = Double.parseDouble(v);
          } catch (NumberFormatException e) {
            throw new InvalidSpecException("train.sensitive_features", "'" + v + "' of '" + f.getColumn() + "' is not a numeric code");
          }
          next.add(tuple);
          String label = dictionary.column(f.getColumn(), "train.sensitive_features").label(tuple[tuple.length - 1]);
          nextNames.add((names.get(t).isEmpty() ? "" : names.get(t) + " & ") + f.getColumn() + "=" + label);
        }
      }
      tuples = next;
      names = nextNames;
    }
    if (spec.getSensitiveFeaturesCount() == 0) return new double[0][];
    if (tuples.size() > 1000) throw new InvalidSpecException("train.sensitive_features", "more than 1000 groups");
    labels.addAll(names);
    return tuples.toArray(double[][]::new);
  }

  /** The group of a table row (its sensitive columns' values, cols their indices), or -1 when it is in none. */
  static int index(double[][] groupValues, org.consilium.analytics.data.Dataset data, int row, int[] cols) {
    for (int g = 0; g < groupValues.length; g++) {
      boolean match = true;
      for (int k = 0; k < cols.length && match; k++) match = data.value(row, cols[k]) == groupValues[g][k];
      if (match) return g;
    }
    return -1;
  }

  /** Every declared value of a categorical feature is a code of its column in the dictionary. */
  static void checkCodes(DatasetDictionary dictionary, List<CategoricalFeature> features, String field) {
    for (CategoricalFeature f : features) {
      ColumnDefinition c = dictionary.column(f.getColumn(), field);
      for (String v : f.getValuesList()) {
        double code;
        try {
          code = Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw new InvalidSpecException(field, "'" + v + "' of '" + f.getColumn() + "' is not a numeric code");
        }
        if (c.categorical() && !c.codes().containsKey(code)) {
          throw new InvalidSpecException(field, "'" + v + "' is not a code of '" + f.getColumn() + "' in the data dictionary " + c.codes());
        }
      }
    }
  }
}
