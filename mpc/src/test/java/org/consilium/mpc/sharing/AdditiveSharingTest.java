package org.consilium.mpc.sharing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.consilium.mpc.field.PrimeField;
import org.consilium.mpc.ring.RingVector;
import org.junit.jupiter.api.Test;

class AdditiveSharingTest {
  private final Random rng = new Random(3);

  @Test
  void ringSharesAddUpToTheSecretIncludingWrapAround() {
    RingVector secret = RingVector.of(Long.MIN_VALUE, -1, 0, 42, Long.MAX_VALUE);
    for (int n = 2; n <= 6; n++) {
      List<RingVector> shares = AdditiveSharing.splitRing(secret, n, rng);
      assertEquals(n, shares.size());
      assertEquals(secret, AdditiveSharing.reconstructRing(shares), "n=" + n);
      assertNotEquals(secret, AdditiveSharing.reconstructRing(shares.subList(0, n - 1)), "n-1 shares do not give it");
    }
  }

  @Test
  void fieldSharesAddUpToTheSecretAndAllAreNeeded() {
    long[] secret = {0, 1, PrimeField.P - 1, PrimeField.random(rng)};
    List<ShamirShare> shares = AdditiveSharing.splitField(secret, 4, rng);
    assertArrayEquals(secret, AdditiveSharing.reconstructField(shares, 4));
    assertThrows(IllegalArgumentException.class, () -> AdditiveSharing.reconstructField(shares.subList(0, 3), 4));
    assertThrows(IllegalArgumentException.class, () -> AdditiveSharing.splitField(new long[] {PrimeField.P}, 3, rng));
  }

  @Test
  void anyNMinusOneRingSharesLookUniform() {
    // The first share's top 4 bits over many splits of the same secret: uniform (chi^2, 15 df).
    int[] buckets = new int[16];
    for (int i = 0; i < 16_000; i++) {
      buckets[(int) (AdditiveSharing.splitRing(RingVector.of(7), 3, rng).get(0).get(0) >>> 60)]++;
    }
    double chi = 0;
    for (int b : buckets) chi += Math.pow(b - 1000, 2) / 1000.0;
    assertTrue(chi < 37.7, "chi^2 " + chi);
  }
}
