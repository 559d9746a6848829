package org.consilium.mpc.sharing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.consilium.mpc.field.PrimeField;
import org.junit.jupiter.api.Test;

class ShamirTest {
  private final Random rng = new Random(42);

  @Test
  void anyTSharesReconstructForEveryThresholdUpToSeven() {
    for (int n = 2; n <= 7; n++) {
      for (int t = 2; t <= n; t++) {
        Shamir shamir = new Shamir(t, n);
        long[] secret = {PrimeField.random(rng), 0, PrimeField.P - 1};
        List<ShamirShare> shares = shamir.split(secret, rng);
        for (int trial = 0; trial < 10; trial++) {
          List<ShamirShare> pick = new ArrayList<>(shares);
          Collections.shuffle(pick, rng);
          int k = t + rng.nextInt(n - t + 1);
          assertArrayEquals(secret, shamir.reconstruct(pick.subList(0, k)), "t=" + t + " n=" + n + " k=" + k);
        }
      }
    }
  }

  @Test
  void fewerThanTSharesAreRefused() {
    Shamir shamir = new Shamir(3, 5);
    List<ShamirShare> shares = shamir.split(new long[] {5}, rng);
    assertThrows(IllegalArgumentException.class, () -> shamir.reconstruct(shares.subList(0, 2)));
  }

  @Test
  void tMinusOneSharesAreConsistentWithEverySecret() {
    // With t-1 shares fixed, each candidate secret extends to exactly one polynomial: the shares
    // say nothing about which. Check by interpolating through (0, s) and the t-1 shares.
    Shamir shamir = new Shamir(3, 5);
    List<ShamirShare> two = shamir.split(new long[] {1234}, rng).subList(0, 2);
    for (long candidate : new long[] {0, 1, 1234, PrimeField.P - 1}) {
      Shamir oneMore = new Shamir(3, 6);
      // A share at x=6 that makes `candidate` the secret exists: reconstruct accepts it.
      List<ShamirShare> withCandidate = new ArrayList<>(two);
      withCandidate.add(shareAtSixFor(candidate, two));
      assertArrayEquals(new long[] {candidate}, oneMore.reconstruct(withCandidate));
    }
  }

  private static ShamirShare shareAtSixFor(long secret, List<ShamirShare> two) {
    // Lagrange through (0, secret), (x1, y1), (x2, y2), evaluated at 6.
    long[] xs = {0, two.get(0).x(), two.get(1).x()};
    long[] ys = {secret, two.get(0).values()[0], two.get(1).values()[0]};
    long acc = 0;
    for (int i = 0; i < 3; i++) {
      long num = 1;
      long den = 1;
      for (int j = 0; j < 3; j++) {
        if (i == j) continue;
        num = PrimeField.mul(num, PrimeField.sub(6, xs[j]));
        den = PrimeField.mul(den, PrimeField.sub(xs[i], xs[j]));
      }
      acc = PrimeField.add(acc, PrimeField.mul(ys[i], PrimeField.mul(num, PrimeField.inv(den))));
    }
    return new ShamirShare(6, new long[] {acc});
  }

  @Test
  void aCorruptedShareIsDetectedWhenMoreThanTArePresent() {
    Shamir shamir = new Shamir(2, 4);
    List<ShamirShare> shares = new ArrayList<>(shamir.split(new long[] {99}, rng));
    long[] bad = shares.get(3).values();
    bad[0] = PrimeField.add(bad[0], 1);
    shares.set(3, new ShamirShare(4, bad));
    assertThrows(InconsistentSharesException.class, () -> shamir.reconstruct(shares));
  }

  @Test
  void largeSchemesInAnyShareOrderReconstructAndCatchAnyCorruptedExtraShare() {
    java.util.Random r = new java.util.Random(11);
    for (int trial = 0; trial < 30; trial++) {
      int n = 2 + r.nextInt(80);
      int t = 1 + r.nextInt(n);
      Shamir shamir = new Shamir(t, n);
      long[] secret = new long[1 + r.nextInt(6)];
      for (int c = 0; c < secret.length; c++) secret[c] = PrimeField.random(r);
      List<ShamirShare> shares = new ArrayList<>(shamir.split(secret, r));
      java.util.Collections.shuffle(shares, r);
      List<ShamirShare> some = new ArrayList<>(shares.subList(0, t + r.nextInt(n - t + 1)));
      assertArrayEquals(secret, shamir.reconstruct(some), "n " + n + ", t " + t + ", " + some.size() + " shares in random order");
      if (some.size() > t) {
        int victim = t + r.nextInt(some.size() - t);
        long[] bad = some.get(victim).values();
        int c = r.nextInt(bad.length);
        bad[c] = PrimeField.add(bad[c], 1 + r.nextInt(1000));
        some.set(victim, new ShamirShare(some.get(victim).x(), bad));
        assertThrows(InconsistentSharesException.class, () -> shamir.reconstruct(some), "a corrupted extra share among " + some.size());
      }
    }
  }

  @Test
  void duplicateIndicesAreRefused() {
    Shamir shamir = new Shamir(2, 3);
    List<ShamirShare> shares = shamir.split(new long[] {1}, rng);
    assertThrows(IllegalArgumentException.class, () -> shamir.reconstruct(List.of(shares.get(0), shares.get(0))));
  }

  @Test
  void byteSecretsRoundTrip() {
    SecretBytes sb = new SecretBytes(new Shamir(3, 5), 32);
    for (int i = 0; i < 50; i++) {
      byte[] secret = new byte[32];
      rng.nextBytes(secret);
      List<ShamirShare> shares = sb.split(secret, rng);
      assertArrayEquals(secret, sb.reconstruct(shares.subList(2, 5)));
      assertNotEquals(0, shares.get(0).values().length);
    }
  }
}
