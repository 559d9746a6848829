package org.consilium.mpc.arith;

import java.util.function.Function;

/**
 * A protocol as a value: either finished with a result, or waiting for one communication round
 * whose outcome decides the next step. Protocols compose with {@link #then}, which keeps every
 * protocol a pure description that the runner drives with messages in and messages out.
 */
sealed interface Step permits Step.Round, Step.Done {
  /** One communication round and what to do with its output (the party's resulting values). */
  record Round(Request request, Function<long[], Step> next) implements Step {}

  /** The protocol is finished with this party's values (shares, or public values after an open). */
  record Done(long[] values) implements Step {}

  /** What a round asks of the engine. */
  sealed interface Request permits Deal, Reshare, Open {}

  /** Every party deals fresh random values: uniform in the field, or integers below 2^bits. */
  record Deal(int count, int integerBits) implements Request {}

  /** Reduce degree-2d local values (products) back to degree-d shares. */
  record Reshare(long[] degree2d) implements Request {}

  /** Reveal the shared values to every party. */
  record Open(long[] shares) implements Request {}

  static Step done(long[] v) {
    return new Done(v);
  }

  static Step round(Request r, Function<long[], Step> next) {
    return new Round(r, next);
  }

  /** Runs s, then feeds its result to k. */
  static Step then(Step s, Function<long[], Step> k) {
    if (s instanceof Done d) return k.apply(d.values());
    Round r = (Round) s;
    return new Round(r.request(), out -> then(r.next().apply(out), k));
  }
}
