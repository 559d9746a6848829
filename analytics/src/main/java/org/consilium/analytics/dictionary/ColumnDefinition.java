package org.consilium.analytics.dictionary;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One column of a dataset as the consortium declares it: its type, unit, public bounds and, for
 * a categorical column, its codes with their labels. The bounds are public knowledge (agreed,
 * not measured), which is what lets DP mechanisms take their sensitivities from them.
 */
public record ColumnDefinition(String name, Kind kind, String unit, double lower, double upper, Map<Double, String> codes,
    String description) {

  public enum Kind { NUMERIC, CATEGORICAL }

  public ColumnDefinition {
    if (name == null || name.isBlank()) throw new DictionaryException("a column needs a name");
    unit = unit == null ? "" : unit;
    description = description == null ? "" : description;
    codes = Collections.unmodifiableMap(new LinkedHashMap<>(codes));
    if (kind == Kind.CATEGORICAL) {
      if (codes.size() < 2) throw new DictionaryException("column '" + name + "': a categorical column needs at least 2 codes");
      lower = codes.keySet().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      upper = codes.keySet().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    } else if (!codes.isEmpty()) {
      throw new DictionaryException("column '" + name + "': only categorical columns have codes");
    }
    if (!(Double.isFinite(lower) && Double.isFinite(upper) && lower < upper)) {
      throw new DictionaryException("column '" + name + "': bounds must be finite with lower < upper, got [" + lower + ", " + upper + "]");
    }
  }

  public boolean categorical() {
    return kind == Kind.CATEGORICAL;
  }

  /** The label of a code ("female" for sex 0), or the code itself when the column has no such code. */
  public String label(double code) {
    String l = codes.get(code);
    return l != null ? l : format(code);
  }

  /** The code a label stands for: an exact match, else the one label equal ignoring case. */
  public java.util.OptionalDouble codeOf(String label) {
    for (var e : codes.entrySet()) if (e.getValue().equals(label)) return java.util.OptionalDouble.of(e.getKey());
    List<Double> folded = codes.entrySet().stream().filter(e -> e.getValue().equalsIgnoreCase(label)).map(Map.Entry::getKey).toList();
    return folded.size() == 1 ? java.util.OptionalDouble.of(folded.get(0)) : java.util.OptionalDouble.empty();
  }

  /** True when a value is allowed in the data: a declared code, or any finite number for a numeric column. */
  public boolean admits(double value) {
    return categorical() ? codes.containsKey(value) : Double.isFinite(value);
  }

  /** The value moved into the public bounds (what every DP mechanism sees). */
  public double clip(double value) {
    return Math.min(Math.max(value, lower), upper);
  }

  /** A code or bound as written: 1 rather than 1.0. */
  public static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
