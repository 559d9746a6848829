package org.consilium.he.aggregation;

import java.util.Arrays;

/**
 * A vector of values in Z_(2^64) (Java longs, wrapping): what a party adds to the aggregate and
 * what the aggregate is, the same ring as the masking backend's so either backend gives the
 * same sum. Immutable: the values are copied in and out.
 */
public final class RingValues {
  private final long[] values;

  private RingValues(long[] values) {
    this.values = values;
  }

  public static RingValues of(long[] values) {
    return new RingValues(values.clone());
  }

  /** Takes an array nothing else holds (a freshly unpacked sum), without copying it. */
  static RingValues adopt(long[] fresh) {
    return new RingValues(fresh);
  }

  public int length() {
    return values.length;
  }

  public long[] toArray() {
    return values.clone();
  }

  /** Without a copy, for the packing inside this package. */
  long[] unsafeValues() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RingValues r && Arrays.equals(values, r.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "RingValues[" + values.length + "]"; // a party's input is private: never its values
  }
}
