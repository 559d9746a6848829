package org.consilium.mpc.field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrimeFieldTest {
  private static final BigInteger P = BigInteger.valueOf(PrimeField.P);

  @Test
  void modulusIsTheMersennePrime() {
    assertEquals(BigInteger.TWO.pow(61).subtract(BigInteger.ONE), P);
    assertEquals(true, P.isProbablePrime(64), "2^61-1 must be prime");
  }

  @Test
  void arithmeticMatchesBigIntegerOnRandomInputs() {
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < 20_000; i++) {
      long a = PrimeField.random(rng);
      long b = PrimeField.random(rng);
      BigInteger ba = BigInteger.valueOf(a);
      BigInteger bb = BigInteger.valueOf(b);
      assertEquals(ba.multiply(bb).mod(P).longValueExact(), PrimeField.mul(a, b), "mul " + a + "*" + b);
      assertEquals(ba.add(bb).mod(P).longValueExact(), PrimeField.add(a, b), "add");
      assertEquals(ba.subtract(bb).mod(P).longValueExact(), PrimeField.sub(a, b), "sub");
      long any = rng.nextLong();
      assertEquals(BigInteger.valueOf(any).mod(P).longValueExact(), PrimeField.reduce(any), "reduce " + any);
      if (a != 0) assertEquals(1, PrimeField.mul(a, PrimeField.inv(a)), "a * a^-1 = 1");
    }
  }

  @Test
  void edgeValues() {
    assertEquals(0, PrimeField.mul(PrimeField.P - 1, 0));
    assertEquals(1, PrimeField.mul(PrimeField.P - 1, PrimeField.P - 1), "(-1)^2 = 1");
    assertEquals(PrimeField.P - 1, PrimeField.reduce(-1));
    assertEquals(BigInteger.valueOf(Long.MIN_VALUE).mod(P).longValueExact(), PrimeField.reduce(Long.MIN_VALUE));
    assertThrows(ArithmeticException.class, () -> PrimeField.inv(0));
    assertThrows(IllegalArgumentException.class, () -> PrimeField.requireElement(PrimeField.P, "x"));
  }
}
