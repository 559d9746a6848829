package org.consilium.mpc.prg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class MaskPrgTest {
  @Test
  void knownAnswerAes256ZeroKey() {
    // AES-256 with the all-zero key encrypts the zero block (counter 0) to
    // dc95c078a2408989ad48a21492842087 (FIPS-197 style vector); read little-endian.
    long[] words = MaskPrg.expand(MaskSeed.of(new byte[32]), 2);
    assertEquals(0x898940a278c095dcL, words[0]);
    assertEquals(0x8720849214a248adL, words[1]);
  }

  @Test
  void addingAndSubtractingTheSameMaskCancels() {
    MaskSeed seed = MaskSeed.random(new SecureRandom());
    long[] acc = new long[100_003];
    MaskPrg.accumulate(seed, acc, 1);
    assertNotEquals(0, acc[100_002]);
    MaskPrg.accumulate(seed, acc, -1);
    assertArrayEquals(new long[100_003], acc);
  }

  @Test
  void streamIsAPrefixConsistentFunctionOfTheSeed() {
    MaskSeed seed = MaskSeed.random(new SecureRandom());
    long[] longer = MaskPrg.expand(seed, 20_000);
    long[] shorter = MaskPrg.expand(seed, 9_000);
    for (int i = 0; i < shorter.length; i++) assertEquals(longer[i], shorter[i], "word " + i);
  }
}
