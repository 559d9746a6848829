package org.consilium.he.paillier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaillierTest {
  private final SecureRandom rng = new SecureRandom();
  private static final PaillierPrivateKey SMALL = PaillierPrivateKey.generate(512, new SecureRandom());

  @Test
  void knownAnswerAgainstTheTextbookFormula() {
    // p = 2^127 - 1 and q = 2^521 - 1 are (Mersenne) primes; g = n + 1, r fixed.
    BigInteger p = BigInteger.TWO.pow(127).subtract(BigInteger.ONE);
    BigInteger q = BigInteger.TWO.pow(521).subtract(BigInteger.ONE);
    PaillierPrivateKey sk = new PaillierPrivateKey(p, q);
    BigInteger n = p.multiply(q);
    BigInteger n2 = n.multiply(n);
    BigInteger m = new BigInteger("123456789012345678901234567890");
    BigInteger r = BigInteger.valueOf(987654321);
    BigInteger expected = n.add(BigInteger.ONE).modPow(m, n2).multiply(r.modPow(n, n2)).mod(n2);
    Ciphertext c = sk.publicKey().ciphertext(expected);
    assertEquals(m, sk.decrypt(c), "CRT decryption of the textbook ciphertext");
    // And our encryption decrypts to the same message.
    assertEquals(m, sk.decrypt(sk.publicKey().encrypt(m, sk.publicKey().randomness(rng))));
  }

  @Test
  void homomorphicAdditionAndScalingOverRandomInputs() {
    PaillierPublicKey pk = SMALL.publicKey();
    RandomnessPool pool = pk.randomness(rng);
    pool.precompute(20);
    for (int i = 0; i < 50; i++) {
      BigInteger a = new BigInteger(500, rng);
      BigInteger b = new BigInteger(500, rng);
      BigInteger k = new BigInteger(64, rng);
      Ciphertext ca = pk.encrypt(a, pool);
      Ciphertext cb = pk.encrypt(b, pool);
      assertEquals(a.add(b).mod(pk.modulus()), SMALL.decrypt(pk.add(ca, cb)));
      assertEquals(a.multiply(k).mod(pk.modulus()), SMALL.decrypt(pk.multiply(ca, k)));
    }
  }

  @Test
  void theFixedBaseRandomnessIsAnNthResidueAndFresh() {
    BigInteger p = BigInteger.probablePrime(256, rng);
    BigInteger q = BigInteger.probablePrime(256, rng);
    PaillierPublicKey pk = new PaillierPrivateKey(p, q).publicKey();
    BigInteger nSquared = pk.modulus().pow(2);
    // y is an n-th residue mod n^2 exactly when y^lambda = 1 (lambda = lcm(p-1, q-1)); 1 + n, say, is not.
    BigInteger lambda = p.subtract(BigInteger.ONE).multiply(q.subtract(BigInteger.ONE))
        .divide(p.subtract(BigInteger.ONE).gcd(q.subtract(BigInteger.ONE)));
    java.util.Set<BigInteger> seen = new java.util.HashSet<>();
    RandomnessPool pool = pk.randomness(rng);
    for (int i = 0; i < 30; i++) {
      BigInteger r = pool.next();
      assertEquals(BigInteger.ONE, r.modPow(lambda, nSquared), "randomness " + i + " is an n-th residue");
      assertTrue(seen.add(r), "randomness " + i + " is not a repeat");
    }
    assertNotEquals(BigInteger.ONE, pk.modulus().add(BigInteger.ONE).modPow(lambda, nSquared), "the residuosity check can fail");
  }

  @Test
  void theFixedBaseRandomnessIsTheBaseToAUniformExponentOfTwiceTheKeysStrength() {
    assertEquals(224, FixedBaseRandomness.exponentBits(2048), "2048-bit keys: 112-bit strength");
    assertEquals(256, FixedBaseRandomness.exponentBits(3072), "3072-bit keys: 128-bit strength");
    assertEquals(224, FixedBaseRandomness.exponentBits(512), "never shorter than for 2048 bits");
    PaillierPublicKey pk = SMALL.publicKey();
    FixedBaseRandomness fixed = pk.fixedBase(rng);
    BigInteger nSquared = pk.modulus().pow(2);
    int bytes = fixed.exponentBits() / 8;
    byte[] ones = new byte[bytes];
    Arrays.fill(ones, (byte) -1);
    List<byte[]> alphas = new ArrayList<>(List.of(new byte[bytes], ones));
    for (int i = 0; i < 20; i++) {
      byte[] alpha = new byte[bytes];
      rng.nextBytes(alpha);
      alphas.add(alpha);
    }
    for (byte[] alpha : alphas) {
      byte[] bigEndian = alpha.clone();
      for (int i = 0; i < bytes / 2; i++) {
        byte t = bigEndian[i];
        bigEndian[i] = bigEndian[bytes - 1 - i];
        bigEndian[bytes - 1 - i] = t;
      }
      BigInteger exponent = new BigInteger(1, bigEndian);
      assertEquals(fixed.base().modPow(exponent, nSquared), fixed.power(alpha), "hs^alpha for alpha = " + exponent);
    }
    assertThrows(IllegalArgumentException.class, () -> fixed.power(new byte[bytes - 1]), "alpha of the wrong length");
  }

  @Test
  void aTableRowIsReadWholeAndGivesTheRequestedEntry() {
    long[][] row = new long[128][];
    for (int e = 0; e < row.length; e++) row[e] = new long[] {e, -e, e * 31L};
    long[] out = new long[3];
    for (int e = 0; e < row.length; e++) {
      FixedBaseRandomness.select(row, e, out);
      assertArrayEquals(row[e], out, "entry " + e);
    }
  }

  @Test
  void encryptionIsRandomised() {
    PaillierPublicKey pk = SMALL.publicKey();
    RandomnessPool pool = pk.randomness(rng);
    assertNotEquals(pk.encrypt(BigInteger.ONE, pool), pk.encrypt(BigInteger.ONE, pool));
  }

  @Test
  void negativeNumbersAsModularComplements() {
    PaillierPublicKey pk = SMALL.publicKey();
    BigInteger n = pk.modulus();
    RandomnessPool pool = pk.randomness(rng);
    Ciphertext minusFive = pk.encrypt(n.subtract(BigInteger.valueOf(5)), pool);
    Ciphertext three = pk.encrypt(BigInteger.valueOf(3), pool);
    assertEquals(n.subtract(BigInteger.TWO), SMALL.decrypt(pk.add(minusFive, three)), "-5 + 3 = -2 (mod n)");
  }

  @Test
  void malformedCiphertextsAreRejected() {
    PaillierPublicKey pk = SMALL.publicKey();
    BigInteger n2 = pk.modulus().multiply(pk.modulus());
    assertThrows(IllegalArgumentException.class, () -> pk.ciphertext(BigInteger.ZERO));
    assertThrows(IllegalArgumentException.class, () -> pk.ciphertext(BigInteger.ONE.negate()));
    assertThrows(IllegalArgumentException.class, () -> pk.ciphertext(n2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pk.ciphertext(SMALL.p().multiply(BigInteger.TEN)));
    assertTrue(e.getMessage().contains("not in Z*"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> pk.encrypt(pk.modulus(), pk.randomness(rng)), "plaintext must be < n");
  }

  @Test
  void ciphertextsUnderAnotherKeyAreRefused() {
    PaillierPublicKey other = PaillierPrivateKey.generate(512, rng).publicKey();
    Ciphertext c = other.encrypt(BigInteger.ONE, other.randomness(rng));
    assertThrows(IllegalArgumentException.class, () -> SMALL.publicKey().add(c, c));
  }

  @Test
  void safePrimesAreSafe() {
    for (int bits : new int[] {64, 128, 256}) {
      BigInteger p = SafePrimes.generate(bits, rng);
      assertEquals(bits, p.bitLength());
      assertTrue(p.isProbablePrime(64) && p.shiftRight(1).isProbablePrime(64), p + " and (p-1)/2 must be prime");
    }
  }
}
