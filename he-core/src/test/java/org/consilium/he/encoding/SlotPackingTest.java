package org.consilium.he.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.consilium.he.paillier.Ciphertext;
import org.consilium.he.paillier.PaillierPrivateKey;
import org.consilium.he.paillier.PaillierPublicKey;
import org.junit.jupiter.api.Test;

class SlotPackingTest {
  private static final PaillierPrivateKey KEY = PaillierPrivateKey.generate(1024, new SecureRandom());
  private final SecureRandom rng = new SecureRandom();

  @Test
  void layoutLeavesHeadroomForTheContributors() {
    SlotPacking p = new SlotPacking(KEY.publicKey(), 32, 20);
    assertEquals(37, p.slotBits(), "32 value bits + ceil(log2 20) = 5 bits of headroom");
    assertEquals(1023 / 37, p.slotsPerPlaintext());
  }

  @Test
  void encryptedSumsOfExtremeSignedValuesUnpackExactly() {
    PaillierPublicKey pk = KEY.publicKey();
    int n = 7;
    SlotPacking packing = new SlotPacking(pk, 16, n);
    long max = (1 << 15) - 1;
    long min = -(1 << 15);
    long[] expected = new long[60];
    List<Ciphertext> acc = null;
    for (int party = 0; party < n; party++) {
      long[] v = new long[60];
      for (int i = 0; i < v.length; i++) v[i] = i % 3 == 0 ? max : i % 3 == 1 ? min : rng.nextInt(1 << 16) - (1 << 15);
      for (int i = 0; i < v.length; i++) expected[i] += v[i];
      List<Ciphertext> enc = new ArrayList<>();
      for (BigInteger pt : packing.pack(v)) enc.add(pk.encrypt(pt, pk.randomness(rng)));
      if (acc == null) {
        acc = enc;
      } else {
        for (int j = 0; j < acc.size(); j++) acc.set(j, pk.add(acc.get(j), enc.get(j)));
      }
    }
    List<BigInteger> sums = acc.stream().map(KEY::decrypt).toList();
    assertArrayEquals(expected, packing.unpack(sums, 60, n), "all-max and all-min slots do not spill into neighbours");
  }

  @Test
  void fullWidthValuesSumModulo2To64LikeTheRing() {
    SlotPacking packing = new SlotPacking(KEY.publicKey(), 64, 3);
    long[] a = {Long.MAX_VALUE, Long.MIN_VALUE, -1};
    long[] b = {1, -1, -1};
    List<BigInteger> pa = packing.pack(a);
    List<BigInteger> pb = packing.pack(b);
    List<BigInteger> sum = List.of(pa.get(0).add(pb.get(0)));
    assertArrayEquals(new long[] {Long.MAX_VALUE + 1, Long.MIN_VALUE - 1, -2}, packing.unpack(sum, 3, 2));
  }

  @Test
  void valuesOutsideTheDeclaredWidthAreRefused() {
    SlotPacking packing = new SlotPacking(KEY.publicKey(), 8, 4);
    assertThrows(IllegalArgumentException.class, () -> packing.pack(new long[] {128}));
    assertThrows(IllegalArgumentException.class, () -> packing.pack(new long[] {-129}));
    assertThrows(IllegalArgumentException.class, () -> packing.unpack(List.of(BigInteger.ZERO), 1, 5), "more contributors than declared");
    assertArrayEquals(new long[] {3, -3}, packing.fixedPoint(new double[] {0.75, -0.75}, 2));
    assertThrows(IllegalArgumentException.class, () -> packing.fixedPoint(new double[] {32.0}, 2), "32 * 4 does not fit 8 bits");
  }
}
