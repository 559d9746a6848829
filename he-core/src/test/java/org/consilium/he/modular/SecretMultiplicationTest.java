package org.consilium.he.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The constant-time product equals BigInteger's, over random odd moduli, any number of factors and the edge operands. */
class SecretMultiplicationTest {
  private final Random random = new Random(11);

  @Test
  void itIsGmpsSideChannelSilentArithmetic() {
    String implementation = SecretMultiplication.constantTime(BigInteger.valueOf(101)).implementation();
    assertTrue(implementation.startsWith("GMP ") && implementation.endsWith("mpn_sec_mul, mpn_sec_div_r"), implementation);
  }

  @Test
  void productsMatchBigIntegerOverRandomModuli() {
    for (int bits : new int[] {3, 64, 65, 127, 512, 1000, 4096, 6144}) {
      for (int trial = 0; trial < 10; trial++) {
        BigInteger n = new BigInteger(bits, random).setBit(bits - 1).setBit(0);
        SecretMultiplication m = SecretMultiplication.constantTime(n);
        assertEquals((bits + 63) / 64, m.limbs(), "limbs of a " + bits + "-bit modulus");
        for (int count = 1; count <= 6; count++) {
          List<BigInteger> factors = new ArrayList<>();
          for (int i = 0; i < count; i++) factors.add(operand(n, i + trial));
          BigInteger expected = factors.stream().reduce(BigInteger.ONE, (a, b) -> a.multiply(b).mod(n));
          if (count == 1) expected = factors.get(0);
          assertEquals(expected, m.product(count, (i, out) -> copy(m.limbsOf(factors.get(i)), out)),
              bits + "-bit modulus " + n + ", factors " + factors);
        }
      }
    }
  }

  @Test
  void theLargestOperandsWithAllOnesModuli() {
    for (int limbs = 1; limbs <= 4; limbs++) {
      BigInteger n = BigInteger.ONE.shiftLeft(64 * limbs).subtract(BigInteger.ONE); // every bit set: carries everywhere
      SecretMultiplication m = SecretMultiplication.constantTime(n);
      BigInteger max = n.subtract(BigInteger.ONE);
      long[] maxLimbs = m.limbsOf(max);
      assertEquals(max.pow(3).mod(n), m.product(3, (i, out) -> copy(maxLimbs, out)), "(N-1)^3 mod N with " + limbs + " limbs");
    }
  }

  @Test
  void misuseIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> SecretMultiplication.constantTime(BigInteger.valueOf(10)), "an even modulus");
    SecretMultiplication m = SecretMultiplication.constantTime(BigInteger.valueOf(101));
    assertThrows(IllegalArgumentException.class, () -> m.limbsOf(BigInteger.valueOf(101)), "a factor as large as the modulus");
    assertThrows(IllegalArgumentException.class, () -> m.limbsOf(BigInteger.valueOf(-1)), "a negative factor");
    assertThrows(IllegalArgumentException.class, () -> m.product(0, (i, out) -> {}), "an empty product");
  }

  private BigInteger operand(BigInteger n, int which) {
    return switch (which % 5) {
      case 0 -> BigInteger.ZERO;
      case 1 -> BigInteger.ONE;
      case 2 -> n.subtract(BigInteger.ONE);
      default -> new BigInteger(n.bitLength() + 8, random).mod(n);
    };
  }

  private static void copy(long[] from, long[] to) {
    System.arraycopy(from, 0, to, 0, to.length);
  }
}
