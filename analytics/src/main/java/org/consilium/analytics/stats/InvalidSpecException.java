package org.consilium.analytics.stats;

/** A job spec breaks a rule; the message names the field. */
public final class InvalidSpecException extends IllegalArgumentException {
  private final String field;

  public InvalidSpecException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
