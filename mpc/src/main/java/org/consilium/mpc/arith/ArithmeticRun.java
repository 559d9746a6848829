package org.consilium.mpc.arith;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.consilium.mpc.field.PrimeField;
import org.consilium.mpc.sharing.Shamir;
import org.consilium.mpc.sharing.ShamirShare;

/**
 * One party's run of an arithmetic protocol (BGW-style, honest majority, semi-honest, no
 * dealer). Messages in, messages out: {@link #start} gives the first round's messages, every
 * received message goes to {@link #receive}, and when the round is over (the orchestrator
 * decided which senders count, the same set for everyone) {@link #close} gives the next round's
 * messages, until {@link #done}.
 *
 * <p>Shares have degree d = t - 1, so any t parties reconstruct and t - 1 colluders learn
 * nothing. A multiplication reshares the degree-2d products, which needs 2d + 1 = 2t - 1 live
 * dealers; more parties than that make the protocol tolerate dropouts.
 */
public final class ArithmeticRun {
  private final int self;
  private final SortedSet<Integer> parties;
  private final int degree;
  private final SecureRandom rng;
  private final Shamir dealing;
  private Step current;
  private long round;
  private final Map<Integer, long[]> received = new TreeMap<>();

  public ArithmeticRun(int self, SortedSet<Integer> parties, int threshold, SecureRandom rng, Protocol protocol) {
    if (!parties.contains(self)) throw new IllegalArgumentException("party " + self + " is not among " + parties);
    if (threshold < 1 || 2 * threshold - 1 > parties.size()) {
      throw new IllegalArgumentException("threshold " + threshold + " needs at least " + (2 * threshold - 1)
          + " parties for multiplication (honest majority), have " + parties.size());
    }
    this.self = self;
    this.parties = Collections.unmodifiableSortedSet(new TreeSet<>(parties));
    this.degree = threshold - 1;
    this.rng = rng;
    this.dealing = new Shamir(threshold, parties.last());
    this.current = protocol.step();
  }

  public List<BgwMessage> start() {
    return begin();
  }

  public boolean done() {
    return current instanceof Step.Done;
  }

  /** The round number of the messages this run expects now. */
  public long round() {
    return round;
  }

  /** This party's output: shares of the result, or the public values if the protocol ended with an open. */
  public SharedVector result() {
    if (!(current instanceof Step.Done d)) throw new IllegalStateException("party " + self + ": protocol not finished");
    return new SharedVector(self, d.values().clone());
  }

  /** Accepts one message of the current round; throws naming what is wrong with it. */
  public void receive(BgwMessage m) {
    if (!(current instanceof Step.Round r)) throw new IllegalStateException("party " + self + ": protocol already finished");
    if (m.round() != round) throw new IllegalArgumentException("message from party " + m.from() + " is for round " + m.round() + ", current round is " + round);
    if (m.to() != self) throw new IllegalArgumentException("message for party " + m.to() + " delivered to party " + self);
    if (!parties.contains(m.from())) throw new IllegalArgumentException("message from unknown party " + m.from());
    if (m.kind() != kindOf(r.request())) throw new IllegalArgumentException("round " + round + " is " + kindOf(r.request()) + ", got " + m.kind());
    int expected = expectedLength(r.request());
    if (m.raw().length != expected) {
      throw new IllegalArgumentException("message from party " + m.from() + " has " + m.raw().length + " values, expected " + expected);
    }
    for (long v : m.raw()) PrimeField.requireElement(v, "value from party " + m.from());
    if (received.containsKey(m.from())) throw new IllegalArgumentException("duplicate message from party " + m.from() + " in round " + round);
    received.put(m.from(), m.raw());
  }

  /** The parties whose messages this party has for the current round. */
  public SortedSet<Integer> senders() {
    return new TreeSet<>(received.keySet());
  }

  /**
   * Ends the current round using the messages of {@code agreed} (for deal and reshare rounds
   * every party must be given the same set); returns the next round's messages.
   */
  public List<BgwMessage> close(SortedSet<Integer> agreed) {
    if (!(current instanceof Step.Round r)) throw new IllegalStateException("party " + self + ": protocol already finished");
    if (!received.keySet().containsAll(agreed)) {
      throw new IllegalArgumentException("party " + self + " has no message from " + difference(agreed) + " in round " + round);
    }
    long[] out = switch (kindOf(r.request())) {
      case DEAL -> sumOfDeals(agreed);
      case RESHARE -> recombine(agreed);
      case OPEN -> reconstruct();
    };
    received.clear();
    round++;
    current = r.next().apply(out);
    return begin();
  }

  private List<BgwMessage> begin() {
    if (!(current instanceof Step.Round r)) return List.of();
    if (r.request() instanceof Step.Deal d) return deal(BgwMessage.Kind.DEAL, randomValues(d));
    if (r.request() instanceof Step.Reshare s) return deal(BgwMessage.Kind.RESHARE, s.degree2d());
    long[] mine = ((Step.Open) r.request()).shares();
    List<BgwMessage> out = new ArrayList<>();
    for (int j : parties) out.add(new BgwMessage(round, BgwMessage.Kind.OPEN, self, j, mine));
    return out;
  }

  private long[] randomValues(Step.Deal d) {
    long[] v = new long[d.count()];
    for (int i = 0; i < v.length; i++) v[i] = d.integerBits() == 0 ? PrimeField.random(rng) : rng.nextLong() >>> (64 - d.integerBits());
    return v;
  }

  private List<BgwMessage> deal(BgwMessage.Kind kind, long[] values) {
    List<ShamirShare> shares = dealing.split(values, rng);
    List<BgwMessage> out = new ArrayList<>();
    for (int j : parties) out.add(new BgwMessage(round, kind, self, j, shares.get(j - 1).values()));
    return out;
  }

  private long[] sumOfDeals(SortedSet<Integer> agreed) {
    if (agreed.size() < degree + 1) {
      throw new IllegalArgumentException("round " + round + ": " + agreed.size() + " dealers, at least " + (degree + 1)
          + " are needed so that colluders cannot know the sum");
    }
    long[] acc = new long[expectedLength(((Step.Round) current).request())];
    for (int i : agreed) {
      long[] v = received.get(i);
      for (int k = 0; k < acc.length; k++) acc[k] = PrimeField.add(acc[k], v[k]);
    }
    return acc;
  }

  private long[] recombine(SortedSet<Integer> agreed) {
    int needed = 2 * degree + 1;
    if (agreed.size() < needed) {
      throw new IllegalArgumentException("round " + round + ": multiplication needs " + needed + " live parties, have " + agreed.size());
    }
    // Interpolate at 0 through the first 2d+1 agreed dealers: every party uses the same set.
    List<ShamirShare> points = new ArrayList<>();
    for (int i : agreed) {
      if (points.size() == needed) break;
      points.add(new ShamirShare(i, received.get(i)));
    }
    return new Shamir(needed, parties.last()).reconstruct(points);
  }

  private long[] reconstruct() {
    if (received.size() < degree + 1) {
      throw new IllegalArgumentException("round " + round + ": " + received.size() + " shares to open, " + (degree + 1) + " needed");
    }
    List<ShamirShare> shares = new ArrayList<>();
    received.forEach((i, v) -> shares.add(new ShamirShare(i, v)));
    return dealing.reconstruct(shares);
  }

  private String difference(SortedSet<Integer> agreed) {
    TreeSet<Integer> d = new TreeSet<>(agreed);
    d.removeAll(received.keySet());
    return d.toString();
  }

  private static BgwMessage.Kind kindOf(Step.Request r) {
    if (r instanceof Step.Deal) return BgwMessage.Kind.DEAL;
    return r instanceof Step.Reshare ? BgwMessage.Kind.RESHARE : BgwMessage.Kind.OPEN;
  }

  private static int expectedLength(Step.Request r) {
    if (r instanceof Step.Deal d) return d.count();
    return r instanceof Step.Reshare s ? s.degree2d().length : ((Step.Open) r).shares().length;
  }
}
