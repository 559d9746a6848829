package org.consilium.mpc.fixedpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FixedPointTest {
  private final FixedPoint fp = new FixedPoint(16, 1000.0, 1_000_000);

  @Test
  void knownAnswers() {
    assertEquals(65536, fp.encode(1.0));
    assertEquals(-98304, fp.encode(-1.5));
    assertEquals(0, fp.encode(0.0));
    assertEquals(-1.5, fp.decode(-98304));
  }

  @Test
  void roundTripIsWithinHalfAStep() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      double x = rng.nextDouble(-1000, 1000);
      assertTrue(Math.abs(fp.decode(fp.encode(x)) - x) <= 0.5 / 65536, "round trip of " + x);
    }
  }

  @Test
  void sumsOfSignedValuesWrapCorrectlyInTheRing() {
    long acc = 0;
    double exact = 0;
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < 1000; i++) {
      double x = rng.nextDouble(-1000, 1000);
      acc += fp.encode(x);
      exact += x;
    }
    assertEquals(exact, fp.decode(acc), 1000 * 0.5 / 65536);
  }

  @Test
  void refusesValuesOutsideTheDeclaredBound() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fp.encode(1000.5));
    assertTrue(e.getMessage().contains("exceeds the declared bound"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> fp.encode(Double.NaN));
  }

  @Test
  void refusesAScaleThatCouldOverflowTheSum() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new FixedPoint(30, 1e6, 1_000_000));
    assertTrue(e.getMessage().contains("without overflow"), e.getMessage());
  }
}
