package org.consilium.analytics.dictionary;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.data.TextCells;
import org.consilium.analytics.stats.InvalidSpecException;

/** The declared columns of one dataset: what every site holds, and the only columns a job may name. */
public record DatasetDictionary(String name, String description, Map<String, ColumnDefinition> columns) {
  public DatasetDictionary {
    description = description == null ? "" : description;
    columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    if (columns.isEmpty()) throw new DictionaryException("dataset '" + name + "' declares no columns");
  }

  /** The column's definition; a column outside the dictionary is an error naming the spec field. */
  public ColumnDefinition column(String column, String field) {
    ColumnDefinition c = columns.get(column);
    if (c == null) {
      throw new InvalidSpecException(field, "'" + column + "' is not a column of dataset '" + name + "' in the data dictionary");
    }
    return c;
  }

  /**
   * How this dataset's files may write categorical values as text: a column's label (exactly,
   * else ignoring case) stands for its code ("female" for 0); any other text is an error naming
   * the labels the column accepts.
   */
  public TextCells textCells() {
    return (column, text) -> {
      ColumnDefinition c = columns.get(column);
      if (c == null || !c.categorical()) throw new IllegalArgumentException("'" + text + "' is not a number");
      return c.codeOf(text).orElseThrow(() -> new IllegalArgumentException(
          "'" + text + "' is neither a number nor a label of '" + column + "' " + c.codes().values()));
    };
  }

  /** A numeric column (for bounds and sums); a categorical one is refused naming the field. */
  public ColumnDefinition numeric(String column, String field) {
    ColumnDefinition c = column(column, field);
    if (c.categorical()) throw new InvalidSpecException(field, "'" + column + "' is categorical in the data dictionary, not numeric");
    return c;
  }

  /**
   * The bounds a job may use: its own [lower, upper] when it narrows the dictionary's, or the
   * dictionary's when it gives none (both 0). Widening is refused: the sensitivity would no
   * longer be the agreed one.
   */
  public double[] bounds(String column, double lower, double upper, String field) {
    ColumnDefinition c = column(column, field);
    if (lower == 0 && upper == 0) return new double[] {c.lower(), c.upper()};
    if (!(lower >= c.lower() && upper <= c.upper() && lower < upper)) {
      throw new InvalidSpecException(field, "[" + lower + ", " + upper + "] is not within the data dictionary's bounds of '"
          + column + "' [" + c.lower() + ", " + c.upper() + "] (a job may narrow them, never widen them)");
    }
    return new double[] {lower, upper};
  }

  /**
   * What is wrong with a site's data against the dictionary: a declared column that is missing,
   * a categorical value that is not a declared code (with its row). Numeric values outside the
   * bounds are allowed (every mechanism clips them); {@link #outOfBounds} counts them.
   */
  public List<String> violations(Dataset data) {
    List<String> out = new ArrayList<>();
    for (ColumnDefinition c : columns.values()) {
      if (data.indexOf(c.name()).isEmpty()) {
        out.add("column '" + c.name() + "' of the data dictionary is missing from " + data.source());
        continue;
      }
      int col = data.requireColumn(c.name());
      int bad = 0;
      for (int r = 0; r < data.rowCount(); r++) {
        double v = data.value(r, col);
        if (Double.isNaN(v) || c.admits(v)) continue;
        if (bad++ < 3) {
          out.add(data.source() + " row " + (r + 1) + ": column '" + c.name() + "' has " + ColumnDefinition.format(v)
              + ", not one of the declared codes " + c.codes().keySet().stream().map(ColumnDefinition::format).toList());
        }
      }
      if (bad > 3) out.add(data.source() + ": column '" + c.name() + "' has " + (bad - 3) + " more undeclared codes");
    }
    return out;
  }

  /** Per numeric column, how many values lie outside the public bounds (they are clipped). */
  public Map<String, Integer> outOfBounds(Dataset data) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (ColumnDefinition c : columns.values()) {
      if (c.categorical() || data.indexOf(c.name()).isEmpty()) continue;
      int col = data.requireColumn(c.name());
      int n = 0;
      for (int r = 0; r < data.rowCount(); r++) {
        double v = data.value(r, col);
        if (!Double.isNaN(v) && (v < c.lower() || v > c.upper())) n++;
      }
      if (n > 0) out.put(c.name(), n);
    }
    return out;
  }

  /** The site's data restricted to the dictionary's columns: nothing else can ever be named by a job. */
  public Dataset restrict(Dataset data) {
    return data.select(List.copyOf(columns.keySet()));
  }
}
