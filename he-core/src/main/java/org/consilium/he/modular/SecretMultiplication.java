package org.consilium.he.modular;

import java.math.BigInteger;

/**
 * Products modulo a fixed odd modulus of factors that are secret (the entries of a fixed-base
 * table chosen by a secret exponent's digits): the same instructions and memory accesses for
 * any factors of the modulus' size. Factors are little-endian 64-bit limbs, {@link #limbs()} of
 * them, each less than the modulus.
 */
public interface SecretMultiplication {
  /** Writes factor {@code index} of a product into {@code out}; may be called from any thread. */
  @FunctionalInterface
  interface Factors {
    void write(int index, long[] out);
  }

  /** The number of 64-bit limbs of the modulus, and of every factor. */
  int limbs();

  /** A value in [0, modulus) as limbs, for building tables (the conversion is not constant time). */
  long[] limbsOf(BigInteger value);

  /** The product of factors 0 .. count - 1 modulo the modulus, for count >= 1. */
  BigInteger product(int count, Factors factors);

  /** What computes it, e.g. "GMP 6.3.0 mpn_sec_mul, mpn_sec_div_r". */
  String implementation();

  /** Constant-time multiplication modulo {@code modulus}: GMP's mpn_sec_mul and mpn_sec_div_r. */
  static SecretMultiplication constantTime(BigInteger modulus) {
    return new GmpMultiplication(modulus);
  }
}
