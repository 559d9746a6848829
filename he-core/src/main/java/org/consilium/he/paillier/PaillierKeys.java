package org.consilium.he.paillier;

import java.math.BigInteger;
import java.security.SecureRandom;

/** Key material helpers shared with the threshold package. */
public final class PaillierKeys {
  private PaillierKeys() {}

  /** A safe prime p = 2p' + 1 of the given size (see {@link SafePrimes}). */
  public static BigInteger safePrime(int bits, SecureRandom rng) {
    return SafePrimes.generate(bits, rng);
  }
}
