package org.consilium.he.paillier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Montgomery multiplication equals BigInteger's a b R^-1 mod N, over random odd moduli and the edge operands. */
class MontgomeryTest {
  private final Random random = new Random(7);

  @Test
  void multiplicationMatchesBigIntegerOverRandomModuli() {
    for (int bits : new int[] {64, 65, 127, 512, 1000, 4096}) {
      for (int trial = 0; trial < 20; trial++) {
        BigInteger n = new BigInteger(bits, random).setBit(bits - 1).setBit(0);
        Montgomery m = new Montgomery(n);
        for (BigInteger[] ab : operands(n)) {
          long[] product = m.multiply(m.toMontgomery(ab[0]), m.toMontgomery(ab[1]));
          BigInteger expected = ab[0].multiply(ab[1]).mod(n);
          assertEquals(expected, m.fromMontgomery(product), bits + "-bit modulus " + n + ": " + ab[0] + " * " + ab[1]);
          assertEquals(expected.multiply(BigInteger.ONE.shiftLeft(64 * m.limbs())).mod(n), Montgomery.bigInteger(product),
              "the product stays in Montgomery form");
        }
      }
    }
  }

  @Test
  void theLargestOperandsAndAllOnesModuli() {
    for (int limbs = 1; limbs <= 4; limbs++) {
      BigInteger n = BigInteger.ONE.shiftLeft(64 * limbs).subtract(BigInteger.ONE); // every bit set: carries everywhere
      Montgomery m = new Montgomery(n);
      BigInteger max = n.subtract(BigInteger.ONE);
      assertEquals(max.multiply(max).mod(n), m.fromMontgomery(m.multiply(m.toMontgomery(max), m.toMontgomery(max))), "(N-1)^2 mod N");
      assertEquals(BigInteger.ONE, m.fromMontgomery(m.one()), "one() is 1");
    }
    assertThrows(IllegalArgumentException.class, () -> new Montgomery(BigInteger.valueOf(10)), "an even modulus is refused");
  }

  @Test
  void selectionReadsTheRequestedEntry() {
    long[][] row = new long[64][];
    for (int e = 0; e < row.length; e++) row[e] = new long[] {e, -e, e * 31L};
    long[] out = new long[3];
    for (int e = 0; e < row.length; e++) {
      Montgomery.select(row, e, out);
      assertArrayEquals(row[e], out, "entry " + e);
    }
  }

  private BigInteger[][] operands(BigInteger n) {
    BigInteger a = new BigInteger(n.bitLength(), random).mod(n);
    BigInteger b = new BigInteger(n.bitLength(), random).mod(n);
    BigInteger max = n.subtract(BigInteger.ONE);
    return new BigInteger[][] {{a, b}, {max, max}, {BigInteger.ZERO, a}, {BigInteger.ONE, b}, {max, BigInteger.ONE}};
  }
}
