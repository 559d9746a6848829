package org.consilium.analytics.data;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * A node's table: named numeric columns, one double per cell, NaN where the value is missing.
 * Immutable; rows are never handed out, only column views.
 */
public final class Dataset {
  private final String source;
  private final List<String> columns;
  private final double[][] byColumn;
  private final int rows;
  private final List<RowError> skipped;

  /** A dataset from its rows as read (each row one value per column, NaN for missing), and the rows left out. */
  public static Dataset ofRows(String source, List<String> columns, List<double[]> rows, List<RowError> skipped) {
    double[][] byColumn = new double[columns.size()][rows.size()];
    for (int i = 0; i < rows.size(); i++) for (int c = 0; c < columns.size(); c++) byColumn[c][i] = rows.get(i)[c];
    return new Dataset(source, columns, byColumn, rows.size(), skipped);
  }

  Dataset(String source, List<String> columns, double[][] byColumn, int rows, List<RowError> skipped) {
    this.source = source;
    this.columns = List.copyOf(columns);
    this.byColumn = byColumn;
    this.rows = rows;
    this.skipped = List.copyOf(skipped);
  }

  public String source() {
    return source;
  }

  public List<String> columns() {
    return columns;
  }

  private volatile String digest;

  /**
   * SHA-256 (hex) of the columns and every value, row count included (equal digests, equal
   * data). Never shown as is: a node shows it keyed (NodeIdentity.dataFingerprint), since a plain
   * hash lets whoever knows all rows but one test guesses of the last. Computed once.
   */
  public String digest() {
    String d = digest;
    if (d == null) {
      java.security.MessageDigest sha;
      try {
        sha = java.security.MessageDigest.getInstance("SHA-256");
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      sha.update(String.join("\n", columns).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 * Math.max(1, rows));
      buf.clear();
      sha.update(java.nio.ByteBuffer.allocate(4).putInt(rows).array());
      for (double[] column : byColumn) {
        buf.clear();
        for (int i = 0; i < rows; i++) buf.putLong(Double.doubleToLongBits(column[i]));
        sha.update(buf.array(), 0, 8 * rows);
      }
      d = java.util.HexFormat.of().formatHex(sha.digest());
      digest = d;
    }
    return d;
  }

  public int rowCount() {
    return rows;
  }

  /** Rows left out under {@link BadRowPolicy#SKIP}, with the reason for each. */
  public List<RowError> skippedRows() {
    return skipped;
  }

  public OptionalInt indexOf(String column) {
    return IntStream.range(0, columns.size()).filter(i -> columns.get(i).equals(column)).findFirst();
  }

  /** The cell at (row, column); NaN when missing. Throws naming the column if it does not exist. */
  public double value(int row, String column) {
    return byColumn[requireColumn(column)][row];
  }

  /** The cell at (row, column index); NaN when missing. */
  public double value(int row, int column) {
    return byColumn[column][row];
  }

  public int requireColumn(String column) {
    return indexOf(column).orElseThrow(() -> new IllegalArgumentException(
        "dataset " + source + " has no column '" + column + "' (columns: " + columns + ")"));
  }

  /** Builds a dataset from whole columns, for tests and for the pooled reference computations. */
  public static Dataset ofColumns(String source, Map<String, double[]> columns) {
    List<String> names = List.copyOf(columns.keySet());
    int rows = columns.values().iterator().next().length;
    double[][] data = new double[names.size()][];
    for (int i = 0; i < names.size(); i++) {
      data[i] = columns.get(names.get(i)).clone();
      if (data[i].length != rows) throw new IllegalArgumentException("column " + names.get(i) + " has a different length");
    }
    return new Dataset(source, names, data, rows, List.of());
  }

  /** The rows of several datasets with the same columns, one after another (pooled reference). */
  public static Dataset concat(String source, List<Dataset> parts) {
    List<String> names = parts.get(0).columns;
    int rows = parts.stream().mapToInt(Dataset::rowCount).sum();
    double[][] data = new double[names.size()][rows];
    int at = 0;
    for (Dataset d : parts) {
      if (!d.columns.equals(names)) throw new IllegalArgumentException(d.source + " has other columns than " + names);
      for (int c = 0; c < names.size(); c++) System.arraycopy(d.byColumn[c], 0, data[c], at, d.rows);
      at += d.rows;
    }
    return new Dataset(source, names, data, rows, List.of());
  }

  /** The same rows with only the named columns, in that order (the skipped-row report is kept). */
  public Dataset select(List<String> names) {
    double[][] data = new double[names.size()][];
    for (int i = 0; i < names.size(); i++) data[i] = byColumn[requireColumn(names.get(i))];
    return new Dataset(source, names, data, rows, skipped);
  }

  /** The same columns with no rows: what a node contributes when it takes part with nothing but noise. */
  public Dataset empty() {
    double[][] data = new double[columns.size()][0];
    return new Dataset(source, columns, data, 0, List.of());
  }
}
