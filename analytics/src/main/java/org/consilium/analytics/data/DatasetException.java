package org.consilium.analytics.data;

/** A dataset could not be loaded; the message names the file, line, column and reason. */
public final class DatasetException extends RuntimeException {
  private final CsvError error;

  public DatasetException(CsvError error) {
    super(error.toString());
    this.error = error;
  }

  public CsvError error() {
    return error;
  }
}
