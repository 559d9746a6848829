package org.consilium.mpc.ring;

import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * An immutable vector over the ring Z_2^64 (Java long arithmetic wraps modulo 2^64). Values
 * are read as signed two's-complement integers when decoded, so fixed-point negatives work.
 */
public final class RingVector {
  private final long[] values;

  private RingVector(long[] values) {
    this.values = values;
  }

  public static RingVector of(long... values) {
    return new RingVector(values.clone());
  }

  public static RingVector zeros(int length) {
    return new RingVector(new long[length]);
  }

  /** Wraps an array this caller gives up; used where a fresh array was just computed. */
  public static RingVector adopt(long[] freshArray) {
    return new RingVector(freshArray);
  }

  public int length() {
    return values.length;
  }

  public long get(int i) {
    return values[i];
  }

  public long[] toArray() {
    return values.clone();
  }

  /** Writes the values into out in one bulk copy (a codec's buffer; no intermediate array). */
  public void copyTo(LongBuffer out) {
    out.put(values);
  }

  public RingVector plus(RingVector other) {
    requireSameLength(other);
    long[] out = values.clone();
    for (int i = 0; i < out.length; i++) out[i] += other.values[i];
    return new RingVector(out);
  }

  public RingVector minus(RingVector other) {
    requireSameLength(other);
    long[] out = values.clone();
    for (int i = 0; i < out.length; i++) out[i] -= other.values[i];
    return new RingVector(out);
  }

  private void requireSameLength(RingVector other) {
    if (other.values.length != values.length) {
      throw new IllegalArgumentException("vector lengths differ: " + values.length + " vs " + other.values.length);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RingVector v && Arrays.equals(v.values, values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "RingVector[length=" + values.length + "]";
  }
}
