package org.consilium.mpc.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Messages.AggregateResult;
import org.consilium.mpc.secagg.Messages.EncryptedShare;
import org.consilium.mpc.secagg.Messages.MaskedInput;
import org.consilium.mpc.secagg.Messages.ShareKeys;
import org.junit.jupiter.api.Test;

class SecureAggregationTest {
  private final SecureRandom rng = seeded(11);

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static SessionParams session(int n, int t, int len) {
    SortedSet<Integer> ps = new TreeSet<>();
    for (int i = 1; i <= n; i++) ps.add(i);
    return new SessionParams("test-session-0001".getBytes(), ps, t, len);
  }

  private Map<Integer, RingVector> randomInputs(SessionParams p) {
    return randomInputs(p, rng);
  }

  /** A random input of the session's length for every party. */
  static Map<Integer, RingVector> randomInputs(SessionParams p, SecureRandom rng) {
    Map<Integer, RingVector> in = new HashMap<>();
    for (int party : p.parties()) {
      long[] v = new long[p.vectorLength()];
      for (int i = 0; i < v.length; i++) v[i] = rng.nextLong();
      in.put(party, RingVector.of(v));
    }
    return in;
  }

  static RingVector sumOf(Map<Integer, RingVector> inputs, Iterable<Integer> who, int len) {
    RingVector acc = RingVector.zeros(len);
    for (int p : who) acc = acc.plus(inputs.get(p));
    return acc;
  }

  @Test
  void withoutDropoutsTheServerGetsExactlyTheSum() {
    SessionParams p = session(5, 3, 1000);
    Map<Integer, RingVector> inputs = randomInputs(p);
    AggregateResult r = new SimulatedNetwork(p, inputs, rng).run(Map.of());
    assertEquals(sumOf(inputs, p.parties(), 1000), r.sum(), "sum of all five inputs");
    assertEquals(p.parties(), r.contributors());
  }

  @Test
  void anyNMinusTDropoutsAtAnyRoundStillGiveTheExactSumOfCommittedInputs() {
    Round[] rounds = {Round.ADVERTISE_KEYS, Round.SHARE_KEYS, Round.MASKED_INPUT, Round.UNMASKING};
    for (int n = 3; n <= 6; n++) {
      for (int t = 2; t <= n; t++) {
        for (int trial = 0; trial < 4; trial++) {
          SessionParams p = session(n, t, 17);
          Map<Integer, RingVector> inputs = randomInputs(p);
          List<Integer> order = new ArrayList<>(p.parties());
          Collections.shuffle(order, rng);
          int drops = rng.nextInt(n - t + 1);
          Map<Integer, Round> dropBefore = new HashMap<>();
          for (int i = 0; i < drops; i++) dropBefore.put(order.get(i), rounds[rng.nextInt(4)]);
          AggregateResult r = new SimulatedNetwork(p, inputs, rng).run(dropBefore);
          // Inputs are committed by sending the masked input: exactly those who did not drop before round 2.
          TreeSet<Integer> committed = new TreeSet<>(p.parties());
          dropBefore.forEach((party, round) -> {
            if (round != Round.UNMASKING) committed.remove(party);
          });
          assertEquals(committed, r.contributors(), "n=" + n + " t=" + t + " drops=" + dropBefore);
          assertEquals(sumOf(inputs, committed, 17), r.sum(), "n=" + n + " t=" + t + " drops=" + dropBefore);
        }
      }
    }
  }

  @Test
  void fewerThanTSurvivorsFailsNamingTheRound() {
    SessionParams p = session(5, 3, 4);
    Map<Integer, RingVector> inputs = randomInputs(p);
    SecAggException e = assertThrows(SecAggException.class, () -> new SimulatedNetwork(p, inputs, rng)
        .run(Map.of(1, Round.MASKED_INPUT, 2, Round.MASKED_INPUT, 3, Round.MASKED_INPUT)));
    assertEquals(Round.MASKED_INPUT, e.round());
    assertTrue(e.getMessage().contains("2 masked-input") && e.getMessage().contains("threshold is 3"),
        e.getMessage());
  }

  @Test
  void theServersViewIsIndependentOfAnIndividualInputGivenTheSum() {
    // Two runs where party 1 and 2 swap part of their inputs (same sum) with identical
    // randomness: every masked vector differs only by uniformly masked noise, so a test
    // statistic on party 1's masked vector has the same distribution. We check the stronger,
    // deterministic fact that masked values of party 1 are uniformly spread (chi-square over
    // 16 buckets) whatever its input is, for inputs 0 and all-ones.
    for (long fill : new long[] {0L, -1L}) {
      SessionParams p = session(3, 2, 16_000);
      Map<Integer, RingVector> inputs = new HashMap<>(randomInputs(p));
      long[] v = new long[16_000];
      java.util.Arrays.fill(v, fill);
      inputs.put(1, RingVector.of(v));
      SimulatedNetwork net = new SimulatedNetwork(p, inputs, rng);
      net.run(Map.of());
      MaskedInput m = net.serverView.stream().filter(o -> o instanceof MaskedInput mi && mi.party() == 1)
          .map(o -> (MaskedInput) o).findFirst().orElseThrow();
      int[] buckets = new int[16];
      for (int i = 0; i < 16_000; i++) buckets[(int) (m.masked().get(i) >>> 60)]++;
      double chi = 0;
      for (int b : buckets) chi += Math.pow(b - 1000, 2) / 1000.0;
      assertTrue(chi < 37.7, "masked input must look uniform whatever the input (chi^2 with 15 df, p=0.001): " + chi);
    }
  }

  @Test
  void sameSumDifferentInputsGiveIdenticalServerResultAndIdenticallyDistributedViews() {
    SessionParams p = session(3, 2, 8);
    Map<Integer, RingVector> a = randomInputs(p);
    Map<Integer, RingVector> b = new HashMap<>(a);
    RingVector delta = RingVector.of(5, 6, 7, 8, 9, 10, 11, 12);
    b.put(1, a.get(1).plus(delta));
    b.put(2, a.get(2).minus(delta));
    AggregateResult ra = new SimulatedNetwork(p, a, seeded(99)).run(Map.of());
    AggregateResult rb = new SimulatedNetwork(p, b, seeded(99)).run(Map.of());
    assertEquals(ra.sum(), rb.sum(), "the output is the same");
  }

  @Test
  void theMaskedInputsTheServerSeesHaveTheSameDistributionWhateverTheInputs() {
    // Two-sample chi-square homogeneity test over 16 buckets (top 4 bits) of party 1's and
    // party 2's masked vectors, for inputs (0, 0) versus (D, -D) with D far from uniform.
    int len = 16_000;
    SessionParams p = session(3, 2, len);
    long[] d = new long[len];
    java.util.Arrays.fill(d, 0x7000_0000_0000_0000L);
    Map<Integer, RingVector> a = new HashMap<>(Map.of(1, RingVector.zeros(len), 2, RingVector.zeros(len), 3, RingVector.zeros(len)));
    Map<Integer, RingVector> b = new HashMap<>(a);
    b.put(1, RingVector.of(d));
    b.put(2, RingVector.zeros(len).minus(RingVector.of(d)));
    SimulatedNetwork na = new SimulatedNetwork(p, a, seeded(1));
    SimulatedNetwork nb = new SimulatedNetwork(p, b, seeded(2));
    assertEquals(na.run(Map.of()).sum(), nb.run(Map.of()).sum());
    for (int party : List.of(1, 2)) {
      int[] ha = buckets(maskedOf(na, party));
      int[] hb = buckets(maskedOf(nb, party));
      double chi = 0;
      for (int i = 0; i < 16; i++) {
        double total = ha[i] + hb[i];
        if (total > 0) chi += Math.pow(ha[i] - hb[i], 2) / total;
      }
      assertTrue(chi < 37.7, "party " + party + ": masked vectors must be identically distributed (chi^2, 15 df, p=0.001): " + chi);
    }
  }

  private static MaskedInput maskedOf(SimulatedNetwork net, int party) {
    return net.serverView.stream().filter(o -> o instanceof MaskedInput mi && mi.party() == party)
        .map(o -> (MaskedInput) o).findFirst().orElseThrow();
  }

  private static int[] buckets(MaskedInput m) {
    int[] h = new int[16];
    for (int i = 0; i < m.masked().length(); i++) h[(int) (m.masked().get(i) >>> 60)]++;
    return h;
  }

  @Test
  void theRelayRefusesABadlySignedAdvertisementAndTheOthersCarryOn() {
    SessionParams p = session(4, 3, 4);
    SimulatedNetwork net = new SimulatedNetwork(p, randomInputs(p), rng);
    SecAggServer s = net.server;
    var good = net.parties.get(2).advertise();
    byte[] badSignature = good.signature().clone();
    badSignature[badSignature.length / 2] ^= 1;
    var forged = new Messages.AdvertiseKeys(2, good.cipherKey(), good.maskKey(), badSignature);
    SecAggException e = assertThrows(SecAggException.class, () -> s.receive(forged));
    assertTrue(e.getMessage().contains("party 2's advertised keys do not carry its valid signature"), e.getMessage());
    for (int party : List.of(1, 3, 4)) s.receive(net.parties.get(party).advertise());
    var roster = s.closeAdvertiseKeys();
    assertEquals(List.of(1, 3, 4), roster.advertisements().stream().map(Messages.AdvertiseKeys::party).toList(),
        "the forger is left out like a party that dropped");
    for (int party : List.of(1, 3, 4)) net.parties.get(party).onRoster(roster); // and the honest parties accept the roster
  }

  @Test
  void adversarialMessagesAreRejected() {
    SessionParams p = session(3, 2, 4);
    Map<Integer, RingVector> inputs = randomInputs(p);
    SimulatedNetwork net = new SimulatedNetwork(p, inputs, rng);
    SecAggServer s = net.server;
    var a1 = net.parties.get(1).advertise();
    s.receive(a1);
    assertThrows(SecAggException.class, () -> s.receive(a1), "duplicated sender");
    assertThrows(SecAggException.class,
        () -> s.receive(new MaskedInput(2, RingVector.zeros(4))), "message for a later round");
    s.receive(net.parties.get(2).advertise());
    s.receive(net.parties.get(3).advertise());
    var roster = s.closeAdvertiseKeys();
    ShareKeys sk1 = net.parties.get(1).onRoster(roster);
    assertThrows(SecAggException.class, () -> s.receive(new ShareKeys(1, sk1.shares().subList(0, 1))),
        "bundles missing for a peer");
    s.receive(sk1);
    ShareKeys sk2 = net.parties.get(2).onRoster(roster);
    // Flip a byte in the bundle for party 3: party 3 must refuse it.
    List<EncryptedShare> tampered = new ArrayList<>();
    for (EncryptedShare e : sk2.shares()) {
      byte[] ct = e.ciphertext();
      if (e.to() == 3) ct[ct.length - 1] ^= 1;
      tampered.add(new EncryptedShare(e.from(), e.to(), ct));
    }
    s.receive(new ShareKeys(2, tampered));
    s.receive(net.parties.get(3).onRoster(roster));
    var routed = s.closeShareKeys();
    SecAggException e = assertThrows(SecAggException.class, () -> net.parties.get(3).onShares(routed.get(3)));
    assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
    MaskedInput m1 = net.parties.get(1).onShares(routed.get(1));
    assertThrows(SecAggException.class, () -> s.receive(new MaskedInput(1, RingVector.zeros(5))), "wrong length");
    s.receive(m1);
    assertThrows(SecAggException.class, () -> s.receive(m1), "duplicate masked input");
  }

  @Test
  void aForgedAdvertisementIsRefusedByTheParties() {
    SessionParams p = session(3, 2, 4);
    SimulatedNetwork net = new SimulatedNetwork(p, randomInputs(p), rng);
    var a1 = net.parties.get(1).advertise();
    var a2 = net.parties.get(2).advertise();
    var a3 = net.parties.get(3).advertise();
    // The relay substitutes party 3's mask key with one of its own.
    var forged = new Messages.AdvertiseKeys(3, a3.cipherKey(),
        org.consilium.mpc.crypto.AgreementKeyPair.generate(rng).publicKey(), a3.signature());
    SecAggException e = assertThrows(SecAggException.class,
        () -> net.parties.get(1).onRoster(new Messages.Roster(List.of(a1, a2, forged))));
    assertTrue(e.getMessage().contains("signature of party 3"), e.getMessage());
  }

  @Test
  void aPartyNeverRevealsBothSecretsOfTheSamePeer() {
    SessionParams p = session(3, 2, 4);
    SimulatedNetwork net = new SimulatedNetwork(p, randomInputs(p), rng);
    SecAggServer s = net.server;
    for (int i = 1; i <= 3; i++) s.receive(net.parties.get(i).advertise());
    var roster = s.closeAdvertiseKeys();
    for (int i = 1; i <= 3; i++) s.receive(net.parties.get(i).onRoster(roster));
    var routed = s.closeShareKeys();
    for (int i = 1; i <= 3; i++) s.receive(net.parties.get(i).onShares(routed.get(i)));
    // A curious server claims party 3 both survived and dropped.
    var lie = new Messages.UnmaskRequest(new TreeSet<>(List.of(1, 2, 3)), new TreeSet<>(List.of(3)));
    assertThrows(SecAggException.class, () -> net.parties.get(1).onUnmaskRequest(lie));
  }
}
