package org.consilium.analytics.train;

import org.consilium.mpc.fixedpoint.FixedPoint;
import org.consilium.mpc.ring.RingVector;

/**
 * Fixed-point encoding of a node's local sums for the secure sum: 20 fractional bits, each
 * node's value at most 2^36 in magnitude, up to 60 nodes (2^36 * 2^20 * 60 < 2^62). A local
 * sum outside the bound is refused with the index, rather than wrapping around.
 */
public final class SumEncoding {
  public static final FixedPoint CODEC = new FixedPoint(20, 0x1p36, 60);

  private SumEncoding() {}

  public static RingVector encode(double[] local) {
    long[] v = new long[local.length];
    for (int i = 0; i < v.length; i++) {
      try {
        v[i] = CODEC.encode(local[i]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("local sum " + i + ": " + e.getMessage());
      }
    }
    return RingVector.adopt(v);
  }

  public static double[] decode(RingVector aggregate) {
    double[] out = new double[aggregate.length()];
    for (int i = 0; i < out.length; i++) out[i] = CODEC.decode(aggregate.get(i));
    return out;
  }
}
