package org.consilium.node.policy;

import java.security.SecureRandom;

/**
 * The minimum-cohort rule of a DP job, decided so that it cannot be used as an oracle. An exact
 * "refuse below N rows" answer told the analyst, for free, whether a cohort had N rows; two
 * cohorts differing by one patient then revealed that patient. Instead the node always accepts
 * (the analyst sees the same answer either way) and compares a noisy count, the exact one plus
 * two-sided geometric noise (the discrete Laplace mechanism, epsilon {@link #EPSILON}, charged to
 * the node's ledger with the job), to the minimum; below it, the node contributes nothing but its
 * noise share. The decision is then EPSILON-DP, the release epsilon-DP given it: together
 * epsilon + EPSILON, which is what the node reserves.
 */
public final class CohortTest {
  /** What the noisy cohort test costs per DP job, on top of the job's epsilon. */
  public static final double EPSILON = 0.05;
  private final SecureRandom rng;

  public CohortTest(SecureRandom rng) {
    this.rng = rng;
  }

  /** True when the noisy cohort size reaches the minimum: the node contributes its data. */
  public boolean contributes(long rows, int minimum) {
    return rows + noise() >= minimum;
  }

  /** Two-sided geometric noise: the difference of two geometric variables with p = 1 - exp(-EPSILON). */
  long noise() {
    return geometric() - geometric();
  }

  private long geometric() {
    // Number of failures before a success, by inversion; 1 - u avoids log(0).
    double u = rng.nextDouble();
    return (long) Math.floor(Math.log(1 - u) / -EPSILON);
  }
}
