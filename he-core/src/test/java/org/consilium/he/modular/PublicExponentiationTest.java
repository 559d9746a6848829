package org.consilium.he.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** GMP's mpz_powm for public exponents equals BigInteger.modPow, one power or a product of many. */
class PublicExponentiationTest {
  private final PublicExponentiation gmp = PublicExponentiation.fast();
  private final Random random = new Random(23);

  @Test
  void powersAndProductsMatchBigIntegerOnRandomInputs() {
    for (int bits : new int[] {8, 64, 65, 512, 4096}) {
      for (int trial = 0; trial < 5; trial++) {
        BigInteger m = new BigInteger(bits, random).setBit(0).setBit(bits - 1);
        List<BigInteger> bases = new ArrayList<>();
        BigInteger[] exponents = new BigInteger[trial + 1];
        BigInteger expected = BigInteger.ONE.mod(m);
        for (int j = 0; j < exponents.length; j++) {
          bases.add(new BigInteger(bits + 9, random)); // larger than the modulus too
          exponents[j] = j == 1 ? BigInteger.ZERO : new BigInteger(128 + 64 * trial, random);
          expected = expected.multiply(bases.get(j).modPow(exponents[j], m)).mod(m);
        }
        assertEquals(bases.get(0).modPow(exponents[0], m), gmp.pow(bases.get(0), exponents[0], m), bits + "-bit modulus, one power");
        assertEquals(expected, gmp.product(bases, exponents, m), bits + "-bit modulus, product of " + exponents.length + " powers");
      }
    }
  }

  @Test
  void edgeCasesAndMisuse() {
    BigInteger m = BigInteger.valueOf(1_000_003);
    assertEquals(BigInteger.ONE, gmp.product(List.of(), new BigInteger[0], m), "the empty product is 1");
    assertEquals(BigInteger.ZERO, gmp.pow(BigInteger.TEN, BigInteger.ONE, BigInteger.ONE), "mod 1 everything is 0");
    assertThrows(IllegalArgumentException.class, () -> gmp.pow(BigInteger.TWO, BigInteger.TEN, BigInteger.valueOf(1_000_000)), "an even modulus");
    assertThrows(IllegalArgumentException.class, () -> gmp.pow(BigInteger.TWO, BigInteger.valueOf(-1), m), "a negative exponent");
    assertThrows(IllegalArgumentException.class, () -> gmp.product(List.of(BigInteger.TWO), new BigInteger[0], m), "one base, no exponent");
  }
}
