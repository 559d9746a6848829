package org.consilium.analytics.data;

/** A dataset could not be loaded; the message names the file, line, column and reason. */
public final class DatasetException extends RuntimeException {
  private final RowError error;

  public DatasetException(RowError error) {
    super(error.toString());
    this.error = error;
  }

  public RowError error() {
    return error;
  }
}
