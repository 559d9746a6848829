package org.consilium.he.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.consilium.he.codec.HeWire;
import org.consilium.he.threshold.Dealer;
import org.consilium.he.threshold.PartialDecryption;
import org.junit.jupiter.api.Test;

/**
 * The threshold-Paillier aggregation protocol as its two state machines, with real keys and
 * real signatures and no I/O: the server obtains the sum of at least t signed contributions and
 * nothing else. A curious server tries to have a single contribution, a forged one, an altered
 * one or one replayed from another step decrypted; a cheating party sends a bad proof.
 */
class PaillierAggregationTest {
  private static final Dealer.Dealt KEYS = Dealer.deal(512, 4, 3, new SecureRandom());
  private static final List<String> PARTIES = List.of("a", "b", "c", "d");
  private static final int LENGTH = 7;
  private final SecureRandom rng = new SecureRandom();
  private final Map<String, KeyPair> identities = new LinkedHashMap<>();

  PaillierAggregationTest() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
    for (String p : PARTIES) identities.put(p, g.generateKeyPair());
  }

  private static byte[] sign(KeyPair k, byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(k.getPrivate());
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean verify(String party, byte[] message, byte[] signature) {
    KeyPair k = identities.get(party);
    if (k == null) return false;
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify((PublicKey) k.getPublic());
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static AggregationSession session(int step) {
    return new AggregationSession("job-1", step, new TreeSet<>(PARTIES), 3, LENGTH);
  }

  private PaillierContributor party(AggregationSession s, String name) {
    return new PaillierContributor(s, name, KEYS.shares().get(PARTIES.indexOf(name)), m -> sign(identities.get(name), m), this::verify, rng);
  }

  private PaillierAggregator server(AggregationSession s) {
    return new PaillierAggregator(s, KEYS.publicKey(), this::verify);
  }

  private static long[] randomVector(Random r) {
    long[] v = new long[LENGTH];
    for (int i = 0; i < LENGTH; i++) v[i] = r.nextLong();
    return v;
  }

  /** Runs a whole aggregation among the given parties; returns the released sum. */
  private long[] run(List<String> contributing, Map<String, long[]> inputs) {
    AggregationSession s = session(0);
    PaillierAggregator server = server(s);
    Map<String, PaillierContributor> parties = new LinkedHashMap<>();
    for (String p : contributing) {
      parties.put(p, party(s, p));
      server.receive(parties.get(p).contribute(RingValues.of(inputs.get(p))));
    }
    DecryptRequest request = HeWire.fromWire(HeWire.toWire(server.closeContributions()));
    assertEquals(contributing, server.contributors());
    parties.values().forEach(p -> server.receive(p.decrypt(request)));
    assertTrue(server.pending().isEmpty(), "every contributor answered");
    return server.finish().toArray();
  }

  @Test
  void theServerObtainsExactlyTheRingSumOfTheContributors() {
    Random r = new Random(42);
    for (int trial = 0; trial < 3; trial++) {
      Map<String, long[]> inputs = new LinkedHashMap<>();
      PARTIES.forEach(p -> inputs.put(p, randomVector(r)));
      List<String> contributing = trial == 0 ? PARTIES : PARTIES.subList(trial == 1 ? 1 : 0, trial == 1 ? 4 : 3);
      long[] expected = new long[LENGTH];
      for (String p : contributing) for (int i = 0; i < LENGTH; i++) expected[i] += inputs.get(p)[i];
      assertArrayEquals(expected, run(contributing, inputs), "the released sum wraps mod 2^64 like the masking backend's, over " + contributing);
    }
  }

  @Test
  void fewerContributionsThanTheThresholdReleaseNothing() {
    AggregationSession s = session(0);
    PaillierAggregator server = server(s);
    server.receive(party(s, "a").contribute(RingValues.of(new long[LENGTH])));
    server.receive(party(s, "b").contribute(RingValues.of(new long[LENGTH])));
    AggregationFailed e = assertThrows(AggregationFailed.class, server::closeContributions);
    assertEquals("only 2 of 4 parties contributed, threshold is 3; nothing is released", e.getMessage());
  }

  @Test
  void aPartyRefusesToDecryptASingleContributionOrOneWithoutItsOwn() {
    AggregationSession s = session(0);
    Map<String, PaillierContributor> parties = new LinkedHashMap<>();
    Map<String, Contribution> sent = new LinkedHashMap<>();
    for (String p : PARTIES) {
      parties.put(p, party(s, p));
      sent.put(p, parties.get(p).contribute(RingValues.of(new long[LENGTH])));
    }
    var alone = assertThrows(IllegalArgumentException.class, () -> parties.get("a").decrypt(new DecryptRequest(List.of(sent.get("a")))));
    assertEquals("only 1 contributions in the aggregate, threshold is 3", alone.getMessage());
    var victim = assertThrows(IllegalArgumentException.class,
        () -> parties.get("a").decrypt(new DecryptRequest(List.of(sent.get("b"), sent.get("c"), sent.get("d")))));
    assertEquals("this node's contribution is not in the aggregate", victim.getMessage());
    var twice = assertThrows(IllegalArgumentException.class,
        () -> parties.get("a").decrypt(new DecryptRequest(List.of(sent.get("a"), sent.get("b"), sent.get("b")))));
    assertEquals("two contributions from 'b'", twice.getMessage());
  }

  @Test
  void aForgedAlteredOrReplayedContributionIsRefusedByServerAndParties() {
    AggregationSession step0 = session(0);
    Map<String, Contribution> old = new LinkedHashMap<>();
    for (String p : PARTIES) old.put(p, party(step0, p).contribute(RingValues.of(new long[LENGTH])));

    AggregationSession step1 = session(1);
    PaillierContributor a = party(step1, "a");
    Contribution mine = a.contribute(RingValues.of(new long[LENGTH]));
    Contribution b = party(step1, "b").contribute(RingValues.of(new long[LENGTH]));
    // The server substitutes its own encryption for c's, under c's name, signed with another key.
    Contribution forged = new Contribution("c", party(step1, "d").contribute(RingValues.of(new long[LENGTH])).encryptedVector(),
        ByteString.copyFrom(sign(identities.get("d"), new byte[] {1})));
    // ... or replays c's signed contribution of step 0, whose sum it already knows.
    Contribution replayed = old.get("c");
    Contribution altered = new Contribution("a", b.encryptedVector(), mine.signature());
    Contribution stranger = new Contribution("e", b.encryptedVector(), b.signature());

    for (Contribution bad : List.of(forged, replayed)) {
      var e = assertThrows(IllegalArgumentException.class, () -> a.decrypt(new DecryptRequest(List.of(mine, b, bad))));
      assertEquals("the signature on 'c's contribution does not verify for job job-1 step 1", e.getMessage());
      var s = assertThrows(IllegalArgumentException.class, () -> server(step1).receive(bad));
      assertEquals(e.getMessage(), s.getMessage(), "the server refuses it too, so one party cannot make the honest ones refuse");
    }
    var e = assertThrows(IllegalArgumentException.class, () -> a.decrypt(new DecryptRequest(List.of(altered, b, old.get("d")))));
    assertEquals("this node's own contribution was altered", e.getMessage());
    var s = assertThrows(IllegalArgumentException.class, () -> server(step1).receive(stranger));
    assertEquals("contribution from 'e', not a participant", s.getMessage());
  }

  @Test
  void aPartyDecryptsOnceAndContributesOnce() {
    AggregationSession s = session(0);
    PaillierAggregator server = server(s);
    Map<String, PaillierContributor> parties = new LinkedHashMap<>();
    for (String p : PARTIES.subList(0, 3)) {
      parties.put(p, party(s, p));
      server.receive(parties.get(p).contribute(RingValues.of(new long[LENGTH])));
    }
    assertThrows(IllegalStateException.class, () -> parties.get("a").contribute(RingValues.of(new long[LENGTH])));
    DecryptRequest request = server.closeContributions();
    parties.get("a").decrypt(request);
    var e = assertThrows(IllegalArgumentException.class, () -> parties.get("a").decrypt(request));
    assertEquals("'a' already decrypted this session's aggregate", e.getMessage());
  }

  /** A decryption whose job ends while it runs stops at its next ciphertext and gives nothing out. */
  @Test
  void aDecryptionStopsWhenItsJobEnds() {
    AggregationSession s = session(0);
    PaillierAggregator server = server(s);
    Map<String, PaillierContributor> parties = new LinkedHashMap<>();
    for (String p : PARTIES.subList(0, 3)) {
      parties.put(p, party(s, p));
      server.receive(parties.get(p).contribute(RingValues.of(new long[LENGTH])));
    }
    DecryptRequest request = server.closeContributions();
    var e = assertThrows(java.util.concurrent.CancellationException.class, () -> parties.get("a").decrypt(request, () -> true));
    assertTrue(e.getMessage().contains("decryption stopped after 0 of"), e.getMessage());
    Partials partials = parties.get("b").decrypt(request, () -> false);
    assertTrue(partials.decryption().values().size() >= 1, "a job that goes on decrypts as before");
  }

  @Test
  void aBadProofLeavesItsPartyOutAndTooFewCorrectOnesReleaseNothing() {
    Random r = new Random(7);
    for (int contributing : List.of(4, 3)) {
      AggregationSession s = session(0);
      PaillierAggregator server = server(s);
      Map<String, PaillierContributor> parties = new LinkedHashMap<>();
      long[] expected = new long[LENGTH];
      for (String p : PARTIES.subList(0, contributing)) {
        long[] in = randomVector(r);
        for (int i = 0; i < LENGTH; i++) expected[i] += in[i];
        parties.put(p, party(s, p));
        server.receive(parties.get(p).contribute(RingValues.of(in)));
      }
      DecryptRequest request = server.closeContributions();
      for (var p : parties.entrySet()) {
        Partials honest = p.getValue().decrypt(request);
        if (!p.getKey().equals("b")) {
          server.receive(honest);
          continue;
        }
        PartialDecryption d = honest.decryption();
        List<BigInteger> cheated = new ArrayList<>(d.values());
        cheated.set(0, cheated.get(0).add(BigInteger.ONE));
        server.receive(new Partials("b", new PartialDecryption(d.party(), cheated, d.challenge(), d.response())));
      }
      if (contributing == 4) {
        assertArrayEquals(expected, server.finish().toArray(), "three correct parties of four still decrypt the sum");
      } else {
        AggregationFailed e = assertThrows(AggregationFailed.class, server::finish);
        assertTrue(e.getMessage().contains("(parties [b])"), "the cheating party is named: " + e.getMessage());
      }
    }
  }

  @Test
  void theServerTakesOnlyWhatEachStageExpects() {
    AggregationSession s = session(0);
    PaillierAggregator server = server(s);
    PaillierContributor a = party(s, "a");
    Contribution c = a.contribute(RingValues.of(new long[LENGTH]));
    server.receive(c);
    var dup = assertThrows(IllegalArgumentException.class, () -> server.receive(c));
    assertEquals("duplicate contribution from 'a'", dup.getMessage());
    var early = assertThrows(IllegalArgumentException.class, () -> server.receive(new Partials("a", new PartialDecryption(1, List.of(BigInteger.ONE), BigInteger.ONE, BigInteger.ONE))));
    assertEquals("stage CONTRIBUTE does not take partial decryptions", early.getMessage());
    assertEquals(new TreeSet<>(List.of("b", "c", "d")), server.pending());
    var wrongLength = assertThrows(IllegalArgumentException.class, () -> party(s, "b").contribute(RingValues.of(new long[LENGTH + 1])));
    assertEquals("input has length 8, the session 7", wrongLength.getMessage());
  }
}
