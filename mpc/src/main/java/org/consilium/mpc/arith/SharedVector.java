package org.consilium.mpc.arith;

import java.util.Arrays;
import org.consilium.mpc.field.PrimeField;

/**
 * One party's Shamir shares (degree d, over GF(2^61-1)) of a vector of secrets. Immutable; the
 * share values never appear in toString.
 */
public final class SharedVector {
  private final int party;
  private final long[] shares;

  SharedVector(int party, long[] shares) {
    this.party = party;
    this.shares = shares;
  }

  /** Wraps shares received from elsewhere (e.g. the output of another protocol), checking them. */
  public static SharedVector of(int party, long[] shares) {
    long[] copy = shares.clone();
    for (int i = 0; i < copy.length; i++) PrimeField.requireElement(copy[i], "share " + i);
    return new SharedVector(party, copy);
  }

  public int party() {
    return party;
  }

  public int length() {
    return shares.length;
  }

  long[] raw() {
    return shares;
  }

  public long[] toArray() {
    return shares.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SharedVector v && v.party == party && Arrays.equals(v.shares, shares);
  }

  @Override
  public int hashCode() {
    return 31 * party + Arrays.hashCode(shares);
  }

  @Override
  public String toString() {
    return "SharedVector[party=" + party + ", length=" + shares.length + "]";
  }
}
