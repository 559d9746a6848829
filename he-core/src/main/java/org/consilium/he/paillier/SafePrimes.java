package org.consilium.he.paillier;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Safe primes p = 2p' + 1 (p' prime), needed by threshold Paillier so that the group of
 * squares has the large prime-order subgroup the decryption shares live in. Candidates are
 * sieved by small primes for both p' and 2p' + 1 before Miller-Rabin, which is what makes
 * 1024- and 1536-bit generation practical.
 */
final class SafePrimes {
  private static final int[] SMALL = smallPrimes(20_000);
  private static final int CERTAINTY = 128;

  private SafePrimes() {}

  static BigInteger generate(int bits, SecureRandom rng) {
    if (bits < 16) throw new IllegalArgumentException("safe primes need at least 16 bits, asked for " + bits);
    while (true) {
      // p' of bits-1 bits with the top bit set, odd; walk an incremental window so sieving is cheap.
      BigInteger base = new BigInteger(bits - 1, rng).setBit(bits - 2).setBit(0);
      int[] residues = new int[SMALL.length];
      for (int i = 0; i < SMALL.length; i++) residues[i] = base.mod(BigInteger.valueOf(SMALL[i])).intValue();
      for (int delta = 0; delta < 1 << 16; delta += 2) {
        if (survivesSieve(residues, delta)) {
          BigInteger q = base.add(BigInteger.valueOf(delta));
          if (q.isProbablePrime(20)) {
            BigInteger p = q.shiftLeft(1).setBit(0);
            if (p.bitLength() == bits && p.isProbablePrime(CERTAINTY) && q.isProbablePrime(CERTAINTY)) return p;
          }
        }
      }
    }
  }

  private static boolean survivesSieve(int[] residues, int delta) {
    for (int i = 0; i < SMALL.length; i++) {
      int s = SMALL[i];
      int r = (residues[i] + delta) % s;
      // q divisible by s, or 2q + 1 divisible by s.
      if (r == 0 || (2 * r + 1) % s == 0) return false;
    }
    return true;
  }

  private static int[] smallPrimes(int limit) {
    boolean[] composite = new boolean[limit];
    int count = 0;
    for (int i = 3; i < limit; i += 2) {
      if (!composite[i]) {
        count++;
        for (long j = (long) i * i; j < limit; j += 2L * i) composite[(int) j] = true;
      }
    }
    int[] out = new int[count];
    int k = 0;
    for (int i = 3; i < limit; i += 2) if (!composite[i]) out[k++] = i;
    return out;
  }
}
