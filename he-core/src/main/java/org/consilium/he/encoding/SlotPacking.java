package org.consilium.he.encoding;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.consilium.he.paillier.PaillierPublicKey;

/**
 * Packs many signed integers into each Paillier plaintext. Every value v with
 * |v| < 2^(valueBits-1) is stored as v + 2^(valueBits-1) in a slot of
 * valueBits + ceil(log2 maxContributors) bits: that headroom is what lets the sum of up to
 * maxContributors encrypted vectors stay inside each slot, so a slot never carries into its
 * neighbour. Decoding subtracts the offsets of the actual number of contributors.
 */
public final class SlotPacking {
  private final int valueBits;
  private final int maxContributors;
  private final int slotBits;
  private final int slotsPerPlaintext;
  private final BigInteger offset;

  public SlotPacking(PaillierPublicKey key, int valueBits, int maxContributors) {
    if (valueBits < 2 || valueBits > 64) throw new IllegalArgumentException("valueBits must be in 2..64, got " + valueBits);
    if (maxContributors < 1) throw new IllegalArgumentException("maxContributors must be positive, got " + maxContributors);
    this.valueBits = valueBits;
    this.maxContributors = maxContributors;
    this.slotBits = valueBits + (32 - Integer.numberOfLeadingZeros(maxContributors - 1));
    // Keep the packed value below n: one bit under the modulus length.
    this.slotsPerPlaintext = (key.bits() - 1) / slotBits;
    if (slotsPerPlaintext < 1) throw new IllegalArgumentException("a " + slotBits + "-bit slot does not fit a " + key.bits() + "-bit key");
    this.offset = BigInteger.ONE.shiftLeft(valueBits - 1);
  }

  public int slotBits() {
    return slotBits;
  }

  public int slotsPerPlaintext() {
    return slotsPerPlaintext;
  }

  /** How many plaintexts a vector of the given length needs. */
  public int plaintexts(int length) {
    return (length + slotsPerPlaintext - 1) / slotsPerPlaintext;
  }

  public List<BigInteger> pack(long[] values) {
    long limit = valueBits == 64 ? Long.MAX_VALUE : (1L << (valueBits - 1)) - 1;
    List<BigInteger> out = new ArrayList<>();
    for (int start = 0; start < values.length; start += slotsPerPlaintext) {
      BigInteger acc = BigInteger.ZERO;
      int end = Math.min(values.length, start + slotsPerPlaintext);
      for (int i = end - 1; i >= start; i--) {
        long v = values[i];
        if (valueBits < 64 && (v > limit || v < -limit - 1)) {
          throw new IllegalArgumentException("value " + v + " at index " + i + " does not fit " + valueBits + " signed bits");
        }
        acc = acc.shiftLeft(slotBits).add(BigInteger.valueOf(v).add(offset));
      }
      out.add(acc);
    }
    return out;
  }

  /** Unpacks the plaintext sums of `contributors` packed vectors of the given length. */
  public long[] unpack(List<BigInteger> sums, int length, int contributors) {
    if (contributors < 1 || contributors > maxContributors) {
      throw new IllegalArgumentException("contributors must be in 1.." + maxContributors + ", got " + contributors);
    }
    if (sums.size() != plaintexts(length)) throw new IllegalArgumentException("expected " + plaintexts(length) + " plaintexts, got " + sums.size());
    BigInteger totalOffset = offset.multiply(BigInteger.valueOf(contributors));
    BigInteger mask = BigInteger.ONE.shiftLeft(slotBits).subtract(BigInteger.ONE);
    long[] out = new long[length];
    for (int i = 0; i < length; i++) {
      BigInteger packed = sums.get(i / slotsPerPlaintext);
      BigInteger slot = packed.shiftRight((i % slotsPerPlaintext) * slotBits).and(mask);
      out[i] = slot.subtract(totalOffset).longValue(); // the ring sum modulo 2^64, as aggregation expects
    }
    return out;
  }

  /** Signed fixed point: round(x * 2^f), refusing values that do not fit. */
  public long[] fixedPoint(double[] x, int fractionalBits) {
    long[] out = new long[x.length];
    double limit = Math.scalb(1.0, valueBits - 1 - fractionalBits);
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(x[i]) || Math.abs(x[i]) >= limit) {
        throw new IllegalArgumentException("value " + x[i] + " at index " + i + " does not fit " + valueBits + " bits with "
            + fractionalBits + " fractional bits");
      }
      out[i] = Math.round(Math.scalb(x[i], fractionalBits));
    }
    return out;
  }
}
