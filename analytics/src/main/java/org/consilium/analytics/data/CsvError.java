package org.consilium.analytics.data;

/** One bad cell or row: where it is and why it was refused. Line numbers count the header as 1. */
public record CsvError(String file, long line, String column, String reason) {
  @Override
  public String toString() {
    return file + ":" + line + (column == null ? "" : " column '" + column + "'") + ": " + reason;
  }
}
