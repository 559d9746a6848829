package org.consilium.he.modular;

import java.math.BigInteger;

/**
 * Modular exponentiation whose exponent is secret (a key share, a factor, a proof nonce):
 * {@code base^exponent mod modulus} in time and memory-access pattern independent of the
 * exponent. {@code BigInteger.modPow} is not: its sliding window leaks the exponent's bits
 * through timing, so every exponentiation with a secret exponent goes through here.
 */
public interface SecretExponentiation {
  /** base^exponent mod modulus, for an odd modulus and exponent >= 0. */
  BigInteger pow(BigInteger base, BigInteger exponent, BigInteger modulus);

  /** What computes it, e.g. "GMP 6.3.0 mpz_powm_sec". */
  String implementation();

  /** The constant-time implementation: GMP's mpz_powm_sec from the system's libgmp. */
  static SecretExponentiation constantTime() {
    return Gmp.INSTANCE;
  }
}
