package org.consilium.he.aggregation;

/** The aggregation cannot complete (fewer than the threshold of parties remain); nothing is released. */
public final class AggregationFailed extends RuntimeException {
  AggregationFailed(String message) {
    super(message);
  }
}
