package org.consilium.analytics.dictionary;

/** A data dictionary that cannot be read or does not hold together; the message names the dataset and column. */
public final class DictionaryException extends RuntimeException {
  public DictionaryException(String message) {
    super(message);
  }
}
