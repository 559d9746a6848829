package org.consilium.he.paillier;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.consilium.he.modular.SecretMultiplication;

/**
 * Encryption randomness as hs^alpha mod n^2 (Damgard, Jurik, Nielsen 2010, section 4.1): hs =
 * h^n for h = -x^2 mod n with a random x, and alpha a uniform exponent of twice the key's
 * security strength in bits, instead of r^n for a uniform r (an exponent as long as n). The
 * powers hs^(d 2^(7 i)) are tabulated once per key, so a value is a product of one entry per
 * 7-bit digit of alpha (32 for a 2048-bit key) and no squaring. The product is constant time
 * ({@link SecretMultiplication#constantTime}, GMP's side-channel silent functions), each entry is
 * read by a masked scan of its whole row, and a zero digit is multiplied in like any other, so
 * neither time nor memory addresses depend on alpha.
 *
 * <p>Assumption, beyond the decisional composite residuosity assumption that Paillier rests on:
 * hs^alpha with a short alpha is indistinguishable from a uniform element of the group hs
 * generates. The generic attack, Pollard's kangaroo, costs 2^(alpha bits / 2) steps: the key's
 * own strength (NIST SP 800-57: 112 bits for a 2048-bit modulus, 128 for 3072), so the randomness
 * is not the weaker part. Safe-prime moduli leave the group no small factors for a
 * Pohlig-Hellman shortcut.
 */
final class FixedBaseRandomness {
  private static final int WINDOW = 7;
  private final int exponentBits;
  private final SecretMultiplication multiplication;
  private final BigInteger base;
  /** table[i][d] = hs^(d 2^(WINDOW i)) mod n^2, as limbs. */
  private final long[][][] table;

  FixedBaseRandomness(PaillierPublicKey key, SecureRandom rng) {
    BigInteger n = key.modulus();
    BigInteger nSquared = key.modulusSquared();
    BigInteger x;
    do {
      x = new BigInteger(n.bitLength(), rng);
    } while (x.signum() == 0 || x.compareTo(n) >= 0 || !x.gcd(n).equals(BigInteger.ONE));
    BigInteger h = n.subtract(x.multiply(x).mod(n));
    this.exponentBits = exponentBits(n.bitLength());
    this.multiplication = SecretMultiplication.constantTime(nSquared);
    // hs and its powers are public (an n-th residue of a random x says nothing about any alpha): BigInteger builds them.
    this.base = h.modPow(n, nSquared);
    BigInteger rowBase = base; // hs^(2^(WINDOW i)) for row i
    int windows = (exponentBits + WINDOW - 1) / WINDOW;
    this.table = new long[windows][1 << WINDOW][];
    for (int i = 0; i < windows; i++) {
      BigInteger power = BigInteger.ONE;
      for (int d = 0; d < 1 << WINDOW; d++) {
        table[i][d] = multiplication.limbsOf(power);
        power = power.multiply(rowBase).mod(nSquared);
      }
      rowBase = power;
    }
  }

  /**
   * Twice the security strength of a modulus of this many bits (NIST SP 800-57 part 1, table 2),
   * never less than 224: the generic attack on alpha then costs as much as factoring n.
   */
  static int exponentBits(int modulusBits) {
    int strength = modulusBits >= 15360 ? 256 : modulusBits >= 7680 ? 192 : modulusBits >= 3072 ? 128 : 112;
    return 2 * strength;
  }

  int exponentBits() {
    return exponentBits;
  }

  /** hs, the fixed base. */
  BigInteger base() {
    return base;
  }

  /** A fresh value hs^alpha mod n^2 for a uniform alpha drawn from rng. */
  BigInteger sample(SecureRandom rng) {
    byte[] alpha = new byte[exponentBits / 8];
    rng.nextBytes(alpha);
    try {
      return power(alpha);
    } finally {
      Arrays.fill(alpha, (byte) 0);
    }
  }

  /** hs^alpha mod n^2 for alpha given as little-endian bytes (exponentBits / 8 of them). */
  BigInteger power(byte[] alpha) {
    if (alpha.length * 8 != exponentBits) throw new IllegalArgumentException("alpha must have " + exponentBits + " bits");
    return multiplication.product(table.length, (i, out) -> select(table[i], digit(alpha, i * WINDOW), out));
  }

  /** Copies into out the row's entry at index, reading every entry (no secret-dependent address). */
  static void select(long[][] row, int index, long[] out) {
    Arrays.fill(out, 0);
    for (int e = 0; e < row.length; e++) {
      long mask = -(long) (((e ^ index) - 1) >>> 31); // all ones when e == index (both < 2^31)
      long[] entry = row[e];
      for (int j = 0; j < out.length; j++) out[j] |= entry[j] & mask;
    }
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
