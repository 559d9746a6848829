package org.consilium.analytics.data;

/**
 * One bad cell or row of a dataset source: where it is and why it was refused. In a CSV file
 * line numbers count the header as 1; in a database result rows count from 1; 0 means the
 * source as a whole (its header, its columns, its connection).
 */
public record RowError(String file, long line, String column, String reason) {
  @Override
  public String toString() {
    return file + (line > 0 ? ":" + line : "") + (column == null ? "" : " column '" + column + "'") + ": " + reason;
  }
}
