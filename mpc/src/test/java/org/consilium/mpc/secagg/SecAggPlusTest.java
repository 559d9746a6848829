package org.consilium.mpc.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Messages.AggregateResult;
import org.junit.jupiter.api.Test;

/**
 * SecAgg+ (Bell et al. 2020): each party masks with, and shares its secrets among, k neighbours of
 * a Harary graph drawn from the session id. The sum is exact, dropouts below a majority of any
 * neighbourhood are survived, and a party's messages concern its neighbours only.
 */
class SecAggPlusTest {
  private final SecureRandom rng = SecureAggregationTest.seeded(2020);

  private static SessionParams session(int n, int t, int len, int k, String id) {
    SortedSet<Integer> ps = new TreeSet<>();
    for (int i = 1; i <= n; i++) ps.add(i);
    return new SessionParams(id.getBytes(), ps, t, len).withNeighbours(k);
  }

  private Map<Integer, RingVector> inputs(SessionParams p) {
    return SecureAggregationTest.randomInputs(p, rng);
  }

  private static RingVector sum(Map<Integer, RingVector> inputs, Iterable<Integer> who, int len) {
    return SecureAggregationTest.sumOf(inputs, who, len);
  }

  /** Every party advertises its keys and the server closes the round. */
  private static void advertised(SimulatedNetwork net) {
    for (SecAggParty party : net.parties.values()) net.server.receive(party.advertise());
    net.server.closeAdvertiseKeys();
  }

  @Test
  void theGraphIsKRegularSymmetricAndTheSameForEveryoneOfTheSession() {
    for (int n : new int[] {9, 30, 101}) {
      for (int k : new int[] {2, 4, 8}) {
        Neighbourhood g = session(n, 3, 1, k, "graph-session-1").neighbourhood();
        Neighbourhood again = session(n, 3, 1, k, "graph-session-1").neighbourhood();
        for (int u = 1; u <= n; u++) {
          assertEquals(k, g.of(u).size(), "party " + u + " has k = " + k + " neighbours among " + n + ": " + g.of(u));
          assertTrue(!g.of(u).contains(u), "a party is not its own neighbour");
          assertEquals(g.of(u), again.of(u), "the graph is derived from the session: every party and the server agree");
          for (int v : g.of(u)) {
            assertTrue(g.of(v).contains(u), "neighbourhood is symmetric: " + u + " ~ " + v);
            assertTrue(g.adjacent(u, v) && g.adjacent(v, u));
          }
          for (int v = 1; v <= n; v++) assertEquals(g.of(u).contains(v), g.adjacent(u, v), "adjacent(" + u + ", " + v + ")");
        }
      }
    }
    Neighbourhood one = session(30, 3, 1, 4, "graph-session-1").neighbourhood();
    Neighbourhood other = session(30, 3, 1, 4, "graph-session-2").neighbourhood();
    boolean differs = false;
    for (int u = 1; u <= 30; u++) differs |= !one.of(u).equals(other.of(u));
    assertTrue(differs, "another session draws another graph");
    Neighbourhood everyone = session(5, 3, 1, 4, "graph-session-1").neighbourhood();
    for (int u = 1; u <= 5; u++) assertEquals(4, everyone.of(u).size(), "k >= n - 1 is the complete graph");
  }

  @Test
  void withoutDropoutsTheServerGetsExactlyTheSum() {
    SessionParams p = session(40, 21, 500, 8, "plus-session-0001");
    Map<Integer, RingVector> in = inputs(p);
    AggregateResult r = new SimulatedNetwork(p, in, rng).run(Map.of());
    assertEquals(sum(in, p.parties(), 500), r.sum());
    assertEquals(p.parties(), r.contributors());
  }

  @Test
  void dropoutsAtAnyRoundBelowAMajorityOfEveryNeighbourhoodStillGiveTheExactSum() {
    for (Round at : List.of(Round.ADVERTISE_KEYS, Round.SHARE_KEYS, Round.MASKED_INPUT, Round.UNMASKING)) {
      for (int trial = 0; trial < 3; trial++) {
        SessionParams p = session(30, 16, 19, 8, "plus-drop-" + at + "-" + trial);
        Map<Integer, RingVector> in = inputs(p);
        Map<Integer, Round> drop = new HashMap<>();
        while (drop.size() < 3) drop.put(1 + rng.nextInt(30), at); // at most 3 of any 9-party neighbourhood; 5 must answer
        AggregateResult r = new SimulatedNetwork(p, in, rng).run(drop);
        TreeSet<Integer> committed = new TreeSet<>(p.parties());
        if (at != Round.UNMASKING) committed.removeAll(drop.keySet());
        assertEquals(committed, r.contributors(), "dropped before " + at.label() + ": " + drop.keySet());
        assertEquals(sum(in, committed, 19), r.sum(), "the exact sum of the committed inputs, dropped before " + at.label());
      }
    }
  }

  @Test
  void aPartySharesAndMasksWithItsNeighboursOnly() {
    SessionParams p = session(50, 26, 4, 6, "plus-session-0002");
    SimulatedNetwork net = new SimulatedNetwork(p, inputs(p), rng);
    advertised(net);
    Neighbourhood g = p.neighbourhood();
    for (SecAggParty party : net.parties.values()) {
      Messages.Roster mine = net.server.rosterFor(party.party());
      assertEquals(g.closed(party.party()), new TreeSet<>(mine.advertisements().stream().map(Messages.AdvertiseKeys::party).toList()),
          "party " + party.party() + " is sent its own and its 6 neighbours' keys, not all 50");
      Messages.ShareKeys m = party.onRoster(mine);
      assertEquals(g.of(party.party()), new TreeSet<>(m.shares().stream().map(Messages.EncryptedShare::to).toList()),
          "party " + party.party() + " seals shares for its 6 neighbours, not for all 49 others");
      net.server.receive(m);
    }
    var routed = net.server.closeShareKeys();
    for (SecAggParty party : net.parties.values()) net.server.receive(party.onShares(routed.get(party.party())));
    var request = net.server.closeMaskedInput();
    SecAggParty one = net.parties.get(7);
    Messages.UnmaskShares revealed = one.onUnmaskRequest(request);
    assertEquals(g.closed(7), new TreeSet<>(revealed.selfMaskSeedShares().keySet()),
        "it reveals shares of its own and its neighbours' self-mask seeds only");
  }

  @Test
  void theServerRefusesABundleForANonNeighbour() {
    SessionParams p = session(20, 11, 4, 4, "plus-session-0003");
    SimulatedNetwork net = new SimulatedNetwork(p, inputs(p), rng);
    advertised(net);
    Messages.ShareKeys honest = net.parties.get(1).onRoster(net.server.rosterFor(1));
    int stranger = p.parties().stream().filter(v -> v != 1 && !p.neighbourhood().adjacent(1, v)).findFirst().orElseThrow();
    var forged = new java.util.ArrayList<>(honest.shares());
    forged.set(0, new Messages.EncryptedShare(1, stranger, honest.shares().get(0).ciphertext()));
    SecAggException e = assertThrows(SecAggException.class, () -> net.server.receive(new Messages.ShareKeys(1, forged)));
    assertTrue(e.getMessage().contains("not a neighbour"), e.getMessage());
  }

  @Test
  void aPartyRefusesARosterWithTooFewOfItsNeighbourhoodToHoldItsSecrets() {
    SessionParams p = session(20, 11, 4, 4, "plus-session-0006");
    SimulatedNetwork net = new SimulatedNetwork(p, inputs(p), rng);
    advertised(net);
    Messages.Roster full = net.server.rosterFor(1);
    Messages.Roster thin = new Messages.Roster(full.advertisements().stream()
        .filter(a -> a.party() == 1 || a.party() == p.neighbourhood().of(1).first()).toList());
    SecAggException e = assertThrows(SecAggException.class, () -> net.parties.get(1).onRoster(thin));
    assertTrue(e.getMessage().contains("only 2 parties of this one's neighbourhood") && e.getMessage().contains("3 must hold"),
        e.getMessage());
  }

  @Test
  void tooManyOfOnePartysNeighboursGoneBeforeUnmaskingReleasesNothing() {
    SessionParams p = session(20, 5, 4, 4, "plus-session-0004");
    Neighbourhood g = p.neighbourhood();
    // Party 1's seed is held by itself and 4 neighbours, 3 of whom must answer: three vanish.
    Map<Integer, Round> drop = new HashMap<>();
    for (int v : g.of(1)) if (drop.size() < 3) drop.put(v, Round.UNMASKING);
    SecAggException e = assertThrows(SecAggException.class, () -> new SimulatedNetwork(p, inputs(p), rng).run(drop));
    assertTrue(e.getMessage().contains("nothing is released") && e.getMessage().contains("holders of party"), e.getMessage());
  }

  @Test
  void aSparseGraphIsNotTheCompleteOne() {
    SessionParams dense = session(20, 11, 4, 4, "plus-session-0005").withNeighbours(SessionParams.EVERYONE);
    SessionParams sparse = dense.withNeighbours(4);
    assertNotEquals(dense, sparse, "the neighbourhood is part of what the parties agree on");
    assertEquals(11, dense.shareThreshold(), "everyone holding shares: the session's threshold");
    assertEquals(3, sparse.shareThreshold(), "k = 4: a majority of the 5 holders");
    assertThrows(IllegalArgumentException.class, () -> dense.withNeighbours(3), "an odd degree has no Harary ring");
  }
}
