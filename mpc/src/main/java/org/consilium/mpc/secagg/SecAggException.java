package org.consilium.mpc.secagg;

/** A secure-aggregation step failed; the message names the round and what was wrong. */
public final class SecAggException extends RuntimeException {
  private final Round round;

  public SecAggException(Round round, String message) {
    super("secure aggregation, round " + round.label() + ": " + message);
    this.round = round;
  }

  public Round round() {
    return round;
  }
}
