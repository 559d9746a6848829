package org.consilium.he.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecretExponentiationTest {
  private final SecretExponentiation gmp = SecretExponentiation.constantTime();

  @Test
  void theConstantTimeImplementationIsGmpsPowmSec() {
    assertTrue(gmp.implementation().startsWith("GMP ") && gmp.implementation().endsWith("mpz_powm_sec"),
        "secret exponents go through GMP's mpz_powm_sec, not BigInteger.modPow: " + gmp.implementation());
  }

  @Test
  void itAgreesWithBigIntegerModPowOnRandomInputs() {
    Random r = new Random(5);
    for (int bits : new int[] {8, 64, 65, 512, 1024, 4096}) {
      for (int i = 0; i < 10; i++) {
        BigInteger m = new BigInteger(bits, r).setBit(0).setBit(bits - 1);
        BigInteger base = new BigInteger(bits + 7, r); // larger than the modulus too
        BigInteger exp = new BigInteger(bits + 64, r).add(BigInteger.ONE);
        assertEquals(base.modPow(exp, m), gmp.pow(base, exp, m), bits + "-bit modulus, case " + i);
      }
    }
  }

  @Test
  void aMissingLibraryIsAnErrorThatSaysWhatToInstall() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Gmp.library(java.util.List.of("no-such-gmp")));
    assertTrue(e.getMessage().startsWith("GMP not found (tried no-such-gmp)") && e.getMessage().contains("libgmp10"), e.getMessage());
  }

  @Test
  void edgeCases() {
    BigInteger m = BigInteger.valueOf(1_000_003);
    assertEquals(BigInteger.ONE, gmp.pow(BigInteger.valueOf(7), BigInteger.ZERO, m), "x^0 = 1");
    assertEquals(BigInteger.ZERO, gmp.pow(BigInteger.ZERO, BigInteger.TEN, m), "0^10 = 0");
    assertEquals(BigInteger.ZERO, gmp.pow(BigInteger.TEN, BigInteger.ONE, BigInteger.ONE), "mod 1 everything is 0");
    assertThrows(IllegalArgumentException.class, () -> gmp.pow(BigInteger.TWO, BigInteger.TEN, BigInteger.valueOf(1_000_000)),
        "mpz_powm_sec needs an odd modulus");
    assertThrows(IllegalArgumentException.class, () -> gmp.pow(BigInteger.TWO, BigInteger.valueOf(-1), m));
  }
}
