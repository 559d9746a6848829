package org.consilium.mpc.secagg;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consilium.mpc.ring.RingVector;
import org.consilium.mpc.secagg.Messages.AggregateResult;
import org.consilium.mpc.secagg.Messages.MaskedInput;
import org.consilium.mpc.secagg.Messages.Roster;
import org.consilium.mpc.secagg.Messages.ShareKeys;
import org.consilium.mpc.secagg.Messages.SharesForParty;
import org.consilium.mpc.secagg.Messages.UnmaskRequest;
import org.consilium.mpc.secagg.Messages.UnmaskShares;

/**
 * Runs one aggregation in one JVM. dropBefore.get(p) = r means party p vanishes before sending
 * its round-r message; messages are delivered to the server in shuffled order. Records what the
 * server saw, for the view-independence test.
 */
final class SimulatedNetwork {
  final SessionParams params;
  final Map<Integer, SecAggParty> parties = new TreeMap<>();
  final SecAggServer server;
  final List<Object> serverView = new ArrayList<>();
  private final SecureRandom shuffle;

  SimulatedNetwork(SessionParams params, Map<Integer, RingVector> inputs, SecureRandom rng) {
    this.params = params;
    this.shuffle = rng;
    Map<Integer, KeyPair> ids = new HashMap<>();
    Map<Integer, java.security.PublicKey> publicKeys = new HashMap<>();
    for (int p : params.parties()) {
      ids.put(p, Ed25519Authenticator.newIdentity());
      publicKeys.put(p, ids.get(p).getPublic());
    }
    for (int p : params.parties()) {
      parties.put(p, new SecAggParty(params, p, inputs.get(p), new Ed25519Authenticator(ids.get(p), publicKeys), rng));
    }
    server = new SecAggServer(params, new Ed25519Authenticator(ids.get(params.parties().first()), publicKeys));
  }

  AggregateResult run(Map<Integer, Round> dropBefore) {
    Set<Integer> alive = new TreeSet<>(params.parties());
    List<Runnable> deliveries = new ArrayList<>();
    for (int p : alive) {
      if (dropBefore.get(p) == Round.ADVERTISE_KEYS) continue;
      var m = parties.get(p).advertise();
      serverView.add(m);
      deliveries.add(() -> server.receive(m));
    }
    deliverShuffled(deliveries);
    Roster roster = server.closeAdvertiseKeys();
    for (int p : roster.advertisements().stream().map(Messages.AdvertiseKeys::party).toList()) {
      if (dropBefore.get(p) == Round.SHARE_KEYS) continue;
      ShareKeys m = parties.get(p).onRoster(server.rosterFor(p));
      serverView.add(m);
      deliveries.add(() -> server.receive(m));
    }
    deliverShuffled(deliveries);
    Map<Integer, SharesForParty> routed = server.closeShareKeys();
    for (var e : routed.entrySet()) {
      if (dropBefore.get(e.getKey()) == Round.MASKED_INPUT) continue;
      MaskedInput m = parties.get(e.getKey()).onShares(e.getValue());
      serverView.add(m);
      deliveries.add(() -> server.receive(m));
    }
    deliverShuffled(deliveries);
    UnmaskRequest req = server.closeMaskedInput();
    for (int p : req.survivors()) {
      if (dropBefore.get(p) == Round.UNMASKING) continue;
      UnmaskShares m = parties.get(p).onUnmaskRequest(req);
      serverView.add(m);
      deliveries.add(() -> server.receive(m));
    }
    deliverShuffled(deliveries);
    return server.closeUnmasking();
  }

  private void deliverShuffled(List<Runnable> deliveries) {
    java.util.Collections.shuffle(deliveries, shuffle);
    deliveries.forEach(Runnable::run);
    deliveries.clear();
  }
}
