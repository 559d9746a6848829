package org.consilium.mpc.field;

import java.util.random.RandomGenerator;

/**
 * The prime field GF(p) with the Mersenne prime p = 2^61 - 1.
 *
 * <p>Chosen because reduction is a shift and an add, products of two elements fit in 122 bits
 * (computed exactly with {@link Math#multiplyHigh}), and 61 bits carry 7 bytes of a secret per
 * element. Elements are canonical longs in [0, p). The class is stateless.
 */
public final class PrimeField {
  /** The modulus 2^61 - 1. */
  public static final long P = (1L << 61) - 1;

  private PrimeField() {}

  /** Reduces any long (interpreted as signed) into [0, p). */
  public static long reduce(long x) {
    long r = (x & P) + (x >>> 61);
    r = (r & P) + (r >>> 61);
    if (r >= P) r -= P;
    if (x < 0) {
      // x >>> 61 handled the bit pattern as unsigned 2^64 + x; correct by subtracting 2^64 mod p = 8.
      r = sub(r, 8 % P);
    }
    return r;
  }

  public static long add(long a, long b) {
    long s = a + b;
    return s >= P ? s - P : s;
  }

  public static long sub(long a, long b) {
    long d = a - b;
    return d < 0 ? d + P : d;
  }

  public static long neg(long a) {
    return a == 0 ? 0 : P - a;
  }

  public static long mul(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    // a*b = hi*2^64 + lo (unsigned lo); 2^64 = 8 * 2^61 and 2^61 = 1 mod p.
    long low61 = lo & P;
    long high = (lo >>> 61) | (hi << 3);
    long r = low61 + high;
    r = (r & P) + (r >>> 61);
    return r >= P ? r - P : r;
  }

  public static long pow(long base, long exp) {
    long result = 1;
    long b = base;
    long e = exp;
    while (e > 0) {
      if ((e & 1) == 1) result = mul(result, b);
      b = mul(b, b);
      e >>>= 1;
    }
    return result;
  }

  /** Multiplicative inverse by Fermat; throws for zero, which has none. */
  public static long inv(long a) {
    if (a == 0) throw new ArithmeticException("zero has no inverse in GF(2^61-1)");
    return pow(a, P - 2);
  }

  /** Uniform element by rejection sampling (only the value p itself is rejected). */
  public static long random(RandomGenerator rng) {
    while (true) {
      long v = rng.nextLong() & P;
      if (v != P) return v;
    }
  }

  /** Checks that a value received from a peer is a canonical element. */
  public static long requireElement(long v, String what) {
    if (v < 0 || v >= P) {
      throw new IllegalArgumentException(what + " is not an element of GF(2^61-1): " + v);
    }
    return v;
  }
}
