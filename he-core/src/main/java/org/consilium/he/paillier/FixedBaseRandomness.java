package org.consilium.he.paillier;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Encryption randomness as hs^alpha mod n^2 (Damgard, Jurik, Nielsen 2010, section 4.1): hs =
 * h^n for h = -x^2 mod n with a random x, and alpha a uniform {@value #EXPONENT_BITS}-bit
 * exponent, instead of r^n for a uniform r (a 2048-bit exponent). The powers hs^(d 2^(6 i)) are
 * tabulated once per key, so a value costs 75 Montgomery multiplications and no squaring; each
 * table entry is read by a masked scan of its row and every window is multiplied in (also a
 * zero digit), so neither time nor memory addresses depend on alpha.
 *
 * <p>Assumption, beyond the decisional composite residuosity assumption that Paillier rests on:
 * hs^alpha with a short alpha is indistinguishable from a uniform element of the group hs
 * generates (the generic attack, Pollard's kangaroo, costs 2^(alpha bits / 2) = 2^224 steps).
 */
final class FixedBaseRandomness {
  static final int EXPONENT_BITS = 448;
  private static final int WINDOW = 6;
  private static final int WINDOWS = (EXPONENT_BITS + WINDOW - 1) / WINDOW;
  private final Montgomery arithmetic;
  /** table[i][d] = hs^(d 2^(WINDOW i)) mod n^2, in Montgomery form. */
  private final long[][][] table;

  FixedBaseRandomness(PaillierPublicKey key, SecureRandom rng) {
    BigInteger n = key.modulus();
    BigInteger x;
    do {
      x = new BigInteger(n.bitLength(), rng);
    } while (x.signum() == 0 || x.compareTo(n) >= 0 || !x.gcd(n).equals(BigInteger.ONE));
    BigInteger h = n.subtract(x.multiply(x).mod(n));
    this.arithmetic = new Montgomery(key.modulusSquared());
    long[] base = arithmetic.toMontgomery(h.modPow(n, key.modulusSquared()));
    this.table = new long[WINDOWS][1 << WINDOW][];
    for (int i = 0; i < WINDOWS; i++) {
      long[][] row = table[i];
      row[0] = arithmetic.one();
      for (int d = 1; d < row.length; d++) row[d] = arithmetic.multiply(row[d - 1], base);
      base = arithmetic.multiply(row[row.length - 1], base);
    }
  }

  /** A fresh value hs^alpha mod n^2 for a uniform alpha drawn from rng. */
  BigInteger sample(SecureRandom rng) {
    byte[] alpha = new byte[EXPONENT_BITS / 8];
    rng.nextBytes(alpha);
    long[] acc = arithmetic.one();
    long[] entry = new long[arithmetic.limbs()];
    for (int i = 0; i < WINDOWS; i++) {
      Montgomery.select(table[i], digit(alpha, i * WINDOW), entry);
      acc = arithmetic.multiply(acc, entry);
    }
    java.util.Arrays.fill(alpha, (byte) 0);
    return arithmetic.fromMontgomery(acc);
  }

  /** The WINDOW bits of alpha (little-endian bytes) from bit position `from`, without branching on them. */
  private static int digit(byte[] alpha, int from) {
    int value = 0;
    for (int b = 0; b < WINDOW; b++) {
      int bit = from + b;
      int inRange = bit < alpha.length * 8 ? 1 : 0; // public: depends only on the position
      int at = Math.min(bit, alpha.length * 8 - 1);
      value |= (((alpha[at >>> 3] >>> (at & 7)) & 1) & inRange) << b;
    }
    return value;
  }
}
