package org.consilium.mpc.sharing;

import java.util.Arrays;
import org.consilium.mpc.field.PrimeField;

/**
 * One party's Shamir share of a vector secret: the evaluations at x of one random polynomial
 * per coordinate, over GF(2^61-1). x is the holder's party index and is never 0 (0 is the
 * secret's position).
 */
public record ShamirShare(int x, long[] values) {
  public ShamirShare {
    if (x <= 0) throw new IllegalArgumentException("share index must be positive, was " + x);
    values = values.clone();
    for (int i = 0; i < values.length; i++) PrimeField.requireElement(values[i], "share value " + i);
  }

  @Override
  public long[] values() {
    return values.clone();
  }

  long value(int i) {
    return values[i];
  }

  int length() {
    return values.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShamirShare s && s.x == x && Arrays.equals(s.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * x + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "ShamirShare[x=" + x + ", " + values.length + " values]"; // never print share values
  }
}
