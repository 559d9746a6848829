package org.consilium.mpc.arith;

import java.util.Arrays;

/**
 * A point-to-point message of the arithmetic protocols: in round {@code round}, party
 * {@code from} sends {@code to} its field elements for that round (sub-shares when dealing or
 * resharing, its own shares when opening). The transport must encrypt and authenticate it end
 * to end: sub-shares are secret.
 */
public record BgwMessage(long round, Kind kind, int from, int to, long[] values) {
  /** What a round does. */
  public enum Kind { DEAL, RESHARE, OPEN }

  public BgwMessage {
    values = values.clone();
  }

  @Override
  public long[] values() {
    return values.clone();
  }

  long[] raw() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BgwMessage m && m.round == round && m.kind == kind && m.from == from && m.to == to
        && Arrays.equals(m.values, values);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(round) * 31 + from * 7 + to;
  }

  @Override
  public String toString() {
    return "BgwMessage[round=" + round + ", " + kind + ", " + from + "->" + to + ", " + values.length + " values]";
  }
}
