package org.consilium.analytics.dp;

/**
 * One block of a released vector with its sensitivities in encoded (integer) units under
 * add/remove-one-record neighbourhood: how much one record can change the block in l1 and l2.
 */
public record NoiseComponentSpec(String name, double l1Sensitivity, double l2Sensitivity) {
  public NoiseComponentSpec {
    if (!(l1Sensitivity > 0) || !(l2Sensitivity > 0) || l2Sensitivity > l1Sensitivity) {
      throw new IllegalArgumentException("component " + name + ": need 0 < l2 <= l1 sensitivity, got l1="
          + l1Sensitivity + " l2=" + l2Sensitivity);
    }
  }
}
