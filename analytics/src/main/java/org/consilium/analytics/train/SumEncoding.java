package org.consilium.analytics.train;

import org.consilium.mpc.fixedpoint.FixedPoint;
import org.consilium.mpc.ring.RingVector;

/**
 * Fixed-point encoding of a node's local sums for the secure sum. Exact training uses 20
 * fractional bits; DP training uses 8, because its noise dwarfs the resolution and a coarser
 * scale keeps the Skellam parameters inside the sampler's range. Each node's value is at most
 * 2^36 in magnitude, for up to 60 nodes; a local sum outside the bound is refused with its index
 * rather than wrapping around.
 */
public final class SumEncoding {
  public static final SumEncoding EXACT = new SumEncoding(20);
  public static final SumEncoding NOISY = new SumEncoding(8);
  private final FixedPoint codec;

  private SumEncoding(int fractionalBits) {
    this.codec = new FixedPoint(fractionalBits, 0x1p36, 60);
  }

  /** The encoded size of one unit (what a sensitivity of 1 becomes). */
  public double scale() {
    return codec.scale();
  }

  public RingVector encode(double[] local) {
    long[] v = new long[local.length];
    for (int i = 0; i < v.length; i++) {
      try {
        v[i] = codec.encode(local[i]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("local sum " + i + ": " + e.getMessage());
      }
    }
    return RingVector.adopt(v);
  }

  public double[] decode(RingVector aggregate) {
    double[] out = new double[aggregate.length()];
    for (int i = 0; i < out.length; i++) out[i] = codec.decode(aggregate.get(i));
    return out;
  }
}
