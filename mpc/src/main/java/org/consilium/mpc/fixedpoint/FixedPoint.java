package org.consilium.mpc.fixedpoint;

/**
 * Signed fixed-point encoding of doubles into the ring Z_2^64 with a declared number of
 * fractional bits.
 *
 * <p>A value x is encoded as round(x * 2^f). Encoding refuses values whose magnitude exceeds
 * the declared bound, so that a sum of up to {@code maxTerms} encoded values can never wrap
 * around 2^63 and be mistaken for a negative number. The check is done at encoding time because
 * after aggregation an overflow is invisible.
 */
public record FixedPoint(int fractionalBits, double maxAbsValue, long maxTerms) {

  public FixedPoint {
    if (fractionalBits < 0 || fractionalBits > 40) {
      throw new IllegalArgumentException("fractionalBits must be in 0..40, was " + fractionalBits);
    }
    if (!(maxAbsValue > 0) || Double.isInfinite(maxAbsValue)) {
      throw new IllegalArgumentException("maxAbsValue must be positive and finite, was " + maxAbsValue);
    }
    if (maxTerms < 1) throw new IllegalArgumentException("maxTerms must be at least 1, was " + maxTerms);
    double worstSum = Math.scalb(maxAbsValue, fractionalBits) * (double) maxTerms;
    if (worstSum >= 0x1p62) {
      throw new IllegalArgumentException(String.format(
          "fixed point with %d fractional bits cannot hold %d terms of magnitude %s without overflow "
              + "(worst-case sum 2^%.1f >= 2^62)",
          fractionalBits, maxTerms, maxAbsValue, Math.log(worstSum) / Math.log(2)));
    }
  }

  /** The scale 2^f as a double. */
  public double scale() {
    return Math.scalb(1.0, fractionalBits);
  }

  /** Encodes one value; throws naming the value if it is not finite or exceeds the bound. */
  public long encode(double x) {
    if (!Double.isFinite(x)) throw new IllegalArgumentException("cannot encode non-finite value " + x);
    if (Math.abs(x) > maxAbsValue) {
      throw new IllegalArgumentException("value " + x + " exceeds the declared bound " + maxAbsValue);
    }
    return Math.round(Math.scalb(x, fractionalBits));
  }

  /** Decodes a (possibly aggregated) ring element interpreted as a signed 64-bit integer. */
  public double decode(long encoded) {
    return Math.scalb((double) encoded, -fractionalBits);
  }
}
