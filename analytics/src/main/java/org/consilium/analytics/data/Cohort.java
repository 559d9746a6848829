package org.consilium.analytics.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.Condition;

/**
 * A job's cohort filter: the rows that satisfy every condition. A missing value satisfies no
 * condition, so "sex = 1" never admits a row whose sex is unknown. Applied by each node to its
 * own rows before the local step; nothing about which rows matched leaves the node.
 */
public final class Cohort {
  private Cohort() {}

  /** Checks the conditions (column named, value finite); throws naming the field. */
  public static void validate(List<Condition> conditions) {
    for (int i = 0; i < conditions.size(); i++) {
      Condition c = conditions.get(i);
      if (c.getColumn().isBlank()) throw new InvalidSpecException("cohort[" + i + "].column", "must name a column");
      if (!Double.isFinite(c.getValue())) throw new InvalidSpecException("cohort[" + i + "].value", "must be a finite number");
      if (c.getOp() == Condition.Op.UNRECOGNIZED) throw new InvalidSpecException("cohort[" + i + "].op", "unknown operator");
    }
  }

  public static List<String> columns(List<Condition> conditions) {
    return conditions.stream().map(Condition::getColumn).distinct().toList();
  }

  /** The rows of the dataset inside the cohort (the dataset itself when there are no conditions). */
  public static Dataset apply(Dataset data, List<Condition> conditions) {
    if (conditions.isEmpty()) return data;
    int[] cols = conditions.stream().mapToInt(c -> data.requireColumn(c.getColumn())).toArray();
    List<Integer> keep = new ArrayList<>();
    for (int r = 0; r < data.rowCount(); r++) {
      boolean in = true;
      for (int k = 0; k < cols.length && in; k++) in = holds(conditions.get(k), data.value(r, cols[k]));
      if (in) keep.add(r);
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    for (int c = 0; c < data.columns().size(); c++) {
      double[] v = new double[keep.size()];
      for (int i = 0; i < v.length; i++) v[i] = data.value(keep.get(i), c);
      out.put(data.columns().get(c), v);
    }
    return Dataset.ofColumns(data.source() + " (cohort)", out);
  }

  /** True when a row satisfies every condition (a missing value never does). */
  public static boolean matches(Dataset data, int row, List<Condition> conditions) {
    for (Condition c : conditions) {
      if (!holds(c, data.value(row, data.requireColumn(c.getColumn())))) return false;
    }
    return true;
  }

  private static boolean holds(Condition c, double v) {
    if (Double.isNaN(v)) return false;
    return switch (c.getOp()) {
      case EQ -> v == c.getValue();
      case NE -> v != c.getValue();
      case LT -> v < c.getValue();
      case LE -> v <= c.getValue();
      case GT -> v > c.getValue();
      case GE -> v >= c.getValue();
      default -> false;
    };
  }
}
