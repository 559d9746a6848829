package org.consilium.he.modular;

import java.math.BigInteger;
import java.util.List;

/**
 * Modular exponentiation whose exponents are public (a proof's challenge, response and batch
 * weights): variable time, so never for a secret ({@link SecretExponentiation} is for those).
 * GMP's {@code mpz_powm}: about as fast as {@code BigInteger.modPow} under C2 and several times
 * faster under C1, where BigInteger's Montgomery multiplication is not an intrinsic, so a proof
 * check costs the same in a short-lived test process as in a long-running coordinator.
 */
public interface PublicExponentiation {
  /** base^exponent mod modulus, for an odd modulus and exponent >= 0. */
  BigInteger pow(BigInteger base, BigInteger exponent, BigInteger modulus);

  /** The product of bases[j]^exponents[j] mod modulus (a batch proof's random combination). */
  BigInteger product(List<BigInteger> bases, BigInteger[] exponents, BigInteger modulus);

  /** GMP's mpz_powm from the system's libgmp (the library {@link SecretExponentiation#constantTime()} uses). */
  static PublicExponentiation fast() {
    return GmpPowers.INSTANCE;
  }
}
