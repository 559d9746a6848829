package org.consilium.mpc.arith;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.consilium.mpc.sharing.Shamir;
import org.consilium.mpc.sharing.ShamirShare;

/**
 * Runs one arithmetic protocol among n parties in one JVM: messages are delivered in random
 * order, and a party listed in dropAtRound vanishes before sending the messages of that round.
 * The agreed set of each round is every sender still alive, as an orchestrator would announce.
 */
final class ArithNetwork {
  final int n;
  final int t;
  final SortedSet<Integer> parties = new TreeSet<>();
  private final SecureRandom rng;
  int rounds;

  ArithNetwork(int n, int t, SecureRandom rng) {
    this.n = n;
    this.t = t;
    this.rng = rng;
    for (int i = 1; i <= n; i++) parties.add(i);
  }

  /** Each party's shares of the given signed values, as a dealer would hand them out. */
  Map<Integer, SharedVector> share(long[] signed) {
    long[] enc = new long[signed.length];
    for (int i = 0; i < enc.length; i++) enc[i] = Protocols.encode(signed[i]);
    List<ShamirShare> shares = new Shamir(t, n).split(enc, rng);
    Map<Integer, SharedVector> out = new TreeMap<>();
    for (int p : parties) out.put(p, SharedVector.of(p, shares.get(p - 1).values()));
    return out;
  }

  Map<Integer, SharedVector> run(IntFunction<Protocol> protocolFor, Map<Integer, Integer> dropAtRound) {
    Map<Integer, ArithmeticRun> runs = new TreeMap<>();
    for (int p : parties) runs.put(p, new ArithmeticRun(p, parties, t, rng, protocolFor.apply(p)));
    TreeSet<Integer> alive = new TreeSet<>(parties);
    List<BgwMessage> inFlight = new ArrayList<>();
    for (var e : runs.entrySet()) inFlight.addAll(e.getValue().start());
    rounds = 0;
    while (!runs.get(alive.first()).done()) {
      final int round = rounds;
      alive.removeIf(p -> dropAtRound.getOrDefault(p, Integer.MAX_VALUE) <= round);
      List<BgwMessage> deliver = new ArrayList<>();
      for (BgwMessage m : inFlight) {
        if (alive.contains(m.from()) && alive.contains(m.to())) deliver.add(m);
      }
      Collections.shuffle(deliver, rng);
      for (BgwMessage m : deliver) runs.get(m.to()).receive(m);
      inFlight.clear();
      SortedSet<Integer> agreed = new TreeSet<>(alive);
      for (int p : alive) inFlight.addAll(runs.get(p).close(agreed));
      rounds++;
    }
    Map<Integer, SharedVector> out = new TreeMap<>();
    for (int p : alive) out.put(p, runs.get(p).result());
    return out;
  }

  /** Reconstructs signed values from the survivors' result shares (checking consistency). */
  long[] reveal(Map<Integer, SharedVector> shares) {
    List<ShamirShare> list = new ArrayList<>();
    shares.forEach((p, s) -> list.add(new ShamirShare(p, s.toArray())));
    long[] v = new Shamir(t, n).reconstruct(list);
    for (int i = 0; i < v.length; i++) v[i] = Protocols.decode(v[i]);
    return v;
  }
}
