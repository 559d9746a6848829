package org.consilium.mpc.arith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.consilium.mpc.sharing.InconsistentSharesException;
import org.junit.jupiter.api.Test;

class ArithmeticProtocolsTest {
  private final SecureRandom rng = seeded(5);

  private static SecureRandom seeded(long s) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(s);
      return r;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long[] randomSigned(int len, int bits) {
    long[] v = new long[len];
    for (int i = 0; i < len; i++) v[i] = (rng.nextLong() >> (64 - bits));
    return v;
  }

  @Test
  void multiplicationIsExactForEveryThresholdWithAnHonestMajority() {
    for (int n = 3; n <= 7; n++) {
      for (int t = 1; 2 * t - 1 <= n; t++) {
        ArithNetwork net = new ArithNetwork(n, t, rng);
        long[] a = randomSigned(20, 28);
        long[] b = randomSigned(20, 28);
        var sa = net.share(a);
        var sb = net.share(b);
        long[] got = net.reveal(net.run(p -> Protocols.multiply(sa.get(p), sb.get(p)), Map.of()));
        for (int i = 0; i < a.length; i++) assertEquals(a[i] * b[i], got[i], "n=" + n + " t=" + t + " element " + i);
        assertEquals(1, net.rounds, "one round per multiplication");
      }
    }
  }

  @Test
  void multiplicationSurvivesDropoutsWhileTwoTMinusOnePartiesRemain() {
    ArithNetwork net = new ArithNetwork(7, 2, rng);
    long[] a = {3, -4, 1 << 20};
    long[] b = {5, 6, -(1 << 20)};
    var sa = net.share(a);
    var sb = net.share(b);
    long[] got = net.reveal(net.run(p -> Protocols.multiply(sa.get(p), sb.get(p)), Map.of(2, 0, 5, 0, 7, 0, 1, 0)));
    assertArrayEquals(new long[] {15, -24, -(1L << 40)}, got, "3 of 7 survivors still multiply (2t-1 = 3)");
    assertThrows(IllegalArgumentException.class,
        () -> net.run(p -> Protocols.multiply(sa.get(p), sb.get(p)), Map.of(1, 0, 2, 0, 3, 0, 4, 0, 5, 0)),
        "2 survivors cannot multiply at t=2");
  }

  @Test
  void innerProductIsOneRound() {
    ArithNetwork net = new ArithNetwork(5, 3, rng);
    long[] a = randomSigned(50, 20);
    long[] b = randomSigned(50, 20);
    long expected = 0;
    for (int i = 0; i < a.length; i++) expected += a[i] * b[i];
    var sa = net.share(a);
    var sb = net.share(b);
    assertArrayEquals(new long[] {expected}, net.reveal(net.run(p -> Protocols.innerProduct(sa.get(p), sb.get(p)), Map.of())));
    assertEquals(1, net.rounds);
  }

  @Test
  void randomBitsAreBitsAndRoughlyBalanced() {
    ArithNetwork net = new ArithNetwork(5, 2, rng);
    long[] bits = net.reveal(net.run(p -> Protocols.randomBits(2000), Map.of()));
    long ones = 0;
    for (long b : bits) {
      assertTrue(b == 0 || b == 1, "a shared bit opened to " + b);
      ones += b;
    }
    assertTrue(Math.abs(ones - 1000) < 150, "2000 bits, " + ones + " ones (5 sigma is 112)");
  }

  @Test
  void truncationIsWithinOneUnit() {
    ArithNetwork net = new ArithNetwork(5, 2, rng);
    long[] x = randomSigned(300, 32);
    var sx = net.share(x);
    long[] got = net.reveal(net.run(p -> Protocols.truncate(sx.get(p), 32, 12, 5), Map.of()));
    for (int i = 0; i < x.length; i++) {
      long floor = Math.floorDiv(x[i], 1L << 12);
      assertTrue(got[i] == floor || got[i] == floor + 1, x[i] + " >> 12 should be " + floor + " or " + (floor + 1) + ", got " + got[i]);
    }
  }

  @Test
  void fixedPointMultiplicationTruncatesTheProduct() {
    int f = 12;
    double[] xs = {1.5, -2.25, 0.001, -7.0, 3.3};
    double[] ys = {2.0, 1.5, -300.0, -0.125, 3.3};
    long[] x = new long[xs.length];
    long[] y = new long[ys.length];
    for (int i = 0; i < xs.length; i++) {
      x[i] = Math.round(xs[i] * (1 << f));
      y[i] = Math.round(ys[i] * (1 << f));
    }
    ArithNetwork net = new ArithNetwork(5, 2, rng);
    var sx = net.share(x);
    var sy = net.share(y);
    long[] got = net.reveal(net.run(p -> Protocols.multiplyFixed(sx.get(p), sy.get(p), f, 36, 5), Map.of()));
    for (int i = 0; i < xs.length; i++) {
      long floor = Math.floorDiv(x[i] * y[i], 1L << f);
      assertTrue(got[i] == floor || got[i] == floor + 1, xs[i] + " * " + ys[i] + ": expected " + floor + " or " + (floor + 1) + ", got " + got[i]);
    }
  }

  @Test
  void lessThanZeroIsExactIncludingTheEdges() {
    int k = 24;
    long[] edges = {0, -1, 1, -(1L << (k - 1)), (1L << (k - 1)) - 1, -2, 2};
    long[] random = randomSigned(60, k);
    long[] x = new long[edges.length + random.length];
    System.arraycopy(edges, 0, x, 0, edges.length);
    System.arraycopy(random, 0, x, edges.length, random.length);
    ArithNetwork net = new ArithNetwork(5, 2, rng);
    var sx = net.share(x);
    long[] got = net.reveal(net.run(p -> Protocols.lessThanZero(sx.get(p), k, 5), Map.of(4, 5)));
    for (int i = 0; i < x.length; i++) assertEquals(x[i] < 0 ? 1 : 0, got[i], "[" + x[i] + " < 0]");
  }

  @Test
  void clipAndSigmoidOnFixedPointShares() {
    int f = 12;
    int k = 28;
    double[] xs = {-9.5, -2.0, -0.25, 0, 0.3, 1.9, 2.0, 7.75};
    long[] x = new long[xs.length];
    for (int i = 0; i < xs.length; i++) x[i] = Math.round(xs[i] * (1 << f));
    ArithNetwork net = new ArithNetwork(5, 2, rng);
    var sx = net.share(x);
    long[] clipped = net.reveal(net.run(p -> Protocols.clip(sx.get(p), -(1L << f), 1L << f, k, 5), Map.of()));
    long[] sig = net.reveal(net.run(p -> Protocols.sigmoid(sx.get(p), f, k, 5), Map.of()));
    for (int i = 0; i < xs.length; i++) {
      assertEquals(Math.max(-(1L << f), Math.min(1L << f, x[i])), clipped[i], "clip(" + xs[i] + ") is exact in fixed point");
      double hard = Math.max(0, Math.min(1, xs[i] / 4 + 0.5));
      assertEquals(hard, sig[i] / (double) (1 << f), 2.0 / (1 << f), "hard sigmoid(" + xs[i] + ")");
    }
  }

  @Test
  void adversarialMessagesAreRejected() {
    ArithNetwork net = new ArithNetwork(3, 2, rng);
    var sa = net.share(new long[] {1, 2});
    var sb = net.share(new long[] {3, 4});
    ArithmeticRun run1 = new ArithmeticRun(1, net.parties, 2, rng, Protocols.multiply(sa.get(1), sb.get(1)));
    ArithmeticRun run2 = new ArithmeticRun(2, net.parties, 2, rng, Protocols.multiply(sa.get(2), sb.get(2)));
    run1.start();
    BgwMessage toOne = run2.start().get(0);
    run1.receive(toOne);
    assertThrows(IllegalArgumentException.class, () -> run1.receive(toOne), "duplicate sender");
    assertThrows(IllegalArgumentException.class,
        () -> run1.receive(new BgwMessage(7, BgwMessage.Kind.RESHARE, 3, 1, new long[2])), "wrong round");
    assertThrows(IllegalArgumentException.class,
        () -> run1.receive(new BgwMessage(0, BgwMessage.Kind.RESHARE, 3, 1, new long[3])), "wrong length");
    assertThrows(IllegalArgumentException.class,
        () -> run1.receive(new BgwMessage(0, BgwMessage.Kind.OPEN, 3, 1, new long[2])), "wrong kind");
    assertThrows(IllegalArgumentException.class,
        () -> run1.receive(new BgwMessage(0, BgwMessage.Kind.RESHARE, 9, 1, new long[2])), "unknown party");
    assertThrows(IllegalArgumentException.class, () -> run1.close(new java.util.TreeSet<>(List.of(1, 2, 3))),
        "closing with a sender whose message never arrived");
  }

  @Test
  void aTamperedShareIsDetectedWhenOpening() {
    ArithNetwork net = new ArithNetwork(4, 2, rng);
    var sa = net.share(new long[] {42});
    ArithmeticRun run = new ArithmeticRun(1, net.parties, 2, rng, Protocols.open(sa.get(1)));
    run.start();
    for (int p = 1; p <= 4; p++) {
      long v = sa.get(p).toArray()[0];
      if (p == 4) v = org.consilium.mpc.field.PrimeField.add(v, 1);
      run.receive(new BgwMessage(0, BgwMessage.Kind.OPEN, p, 1, new long[] {v}));
    }
    assertThrows(InconsistentSharesException.class, () -> run.close(net.parties));
  }

  @Test
  void tooFewPartiesForAnHonestMajorityAreRefusedUpFront() {
    ArithNetwork net = new ArithNetwork(4, 3, rng);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ArithmeticRun(1, net.parties, 3, rng, Protocols.randomBits(1)));
    assertTrue(e.getMessage().contains("needs at least 5 parties"), e.getMessage());
  }
}
