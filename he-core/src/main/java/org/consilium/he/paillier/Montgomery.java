package org.consilium.he.paillier;

import java.math.BigInteger;

/**
 * Montgomery multiplication modulo an odd modulus N on 64-bit limbs (little-endian), CIOS
 * (Koc, Acar, Kaliski 1996): mul(a, b) = a b R^-1 mod N with R = 2^(64 k). BigInteger's own
 * multiply-then-mod costs about five of these at 4096 bits, and it is not constant time; this
 * one takes the same steps for any operands (the final subtraction is a masked select).
 */
final class Montgomery {
  private final long[] modulus;
  private final int limbs;
  /** -N^-1 mod 2^64. */
  private final long inverse;
  private final BigInteger n;
  private final long[] one;

  Montgomery(BigInteger n) {
    if (n.signum() <= 0 || !n.testBit(0)) throw new IllegalArgumentException("Montgomery arithmetic needs an odd positive modulus");
    this.n = n;
    this.limbs = (n.bitLength() + 63) / 64;
    this.modulus = limbsOf(n, limbs);
    long x = 1; // Newton's iteration for N[0]^-1 mod 2^64: each step doubles the correct low bits
    for (int i = 0; i < 6; i++) x *= 2 - modulus[0] * x;
    this.inverse = -x;
    this.one = toMontgomery(BigInteger.ONE);
  }

  int limbs() {
    return limbs;
  }

  /** x R mod N, for 0 <= x. */
  long[] toMontgomery(BigInteger x) {
    return limbsOf(x.shiftLeft(64 * limbs).mod(n), limbs);
  }

  /** a R^-1 mod N, back to an ordinary number. */
  BigInteger fromMontgomery(long[] a) {
    long[] plainOne = new long[limbs];
    plainOne[0] = 1;
    return bigInteger(multiply(a, plainOne));
  }

  /** R mod N: the Montgomery form of 1. */
  long[] one() {
    return one.clone();
  }

  /** a b R^-1 mod N, for a, b < N in Montgomery form. */
  long[] multiply(long[] a, long[] b) {
    int k = limbs;
    long[] t = new long[k + 2];
    for (int i = 0; i < k; i++) {
      long bi = b[i];
      long carry = 0;
      for (int j = 0; j < k; j++) {
        long lo = a[j] * bi;
        long hi = unsignedMultiplyHigh(a[j], bi);
        long s = lo + t[j];
        hi += Long.compareUnsigned(s, lo) < 0 ? 1 : 0;
        long s2 = s + carry;
        hi += Long.compareUnsigned(s2, s) < 0 ? 1 : 0;
        t[j] = s2;
        carry = hi;
      }
      long s = t[k] + carry;
      t[k + 1] = Long.compareUnsigned(s, carry) < 0 ? 1 : 0;
      t[k] = s;

      long m = t[0] * inverse;
      long lo = m * modulus[0];
      long hi = unsignedMultiplyHigh(m, modulus[0]);
      long s0 = lo + t[0]; // zero by the choice of m
      carry = hi + (Long.compareUnsigned(s0, lo) < 0 ? 1 : 0);
      for (int j = 1; j < k; j++) {
        lo = m * modulus[j];
        hi = unsignedMultiplyHigh(m, modulus[j]);
        long u = lo + t[j];
        hi += Long.compareUnsigned(u, lo) < 0 ? 1 : 0;
        long u2 = u + carry;
        hi += Long.compareUnsigned(u2, u) < 0 ? 1 : 0;
        t[j - 1] = u2;
        carry = hi;
      }
      long u = t[k] + carry;
      t[k - 1] = u;
      t[k] = t[k + 1] + (Long.compareUnsigned(u, carry) < 0 ? 1 : 0);
    }
    // t < 2N: subtract N, keep the difference unless it borrowed (and t had no top limb).
    long[] d = new long[k];
    long borrow = 0;
    for (int j = 0; j < k; j++) {
      long x = t[j];
      long y = modulus[j];
      long diff = x - y - borrow;
      borrow = (Long.compareUnsigned(x, y) < 0 || (x == y && borrow == 1)) ? 1 : 0;
      d[j] = diff;
    }
    long keepT = -((borrow & ~t[k]) & 1); // all ones when t < N
    long[] out = new long[k];
    for (int j = 0; j < k; j++) out[j] = (t[j] & keepT) | (d[j] & ~keepT);
    return out;
  }

  /** Copies into out the row's entry at index, reading every entry (no secret-dependent address). */
  static void select(long[][] row, int index, long[] out) {
    java.util.Arrays.fill(out, 0);
    for (int e = 0; e < row.length; e++) {
      long mask = -(long) (((e ^ index) - 1) >>> 31); // all ones when e == index (both < 2^31)
      long[] entry = row[e];
      for (int j = 0; j < out.length; j++) out[j] |= entry[j] & mask;
    }
  }

  private static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }

  private static long[] limbsOf(BigInteger x, int limbs) {
    long[] out = new long[limbs];
    for (int i = 0; i < limbs; i++) out[i] = x.shiftRight(64 * i).longValue();
    return out;
  }

  static BigInteger bigInteger(long[] a) {
    byte[] bytes = new byte[a.length * 8 + 1];
    for (int i = 0; i < a.length; i++) {
      long v = a[i];
      for (int b = 0; b < 8; b++) bytes[bytes.length - 1 - (i * 8 + b)] = (byte) (v >>> (8 * b));
    }
    return new BigInteger(bytes);
  }
}
