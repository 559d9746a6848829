package org.consilium.node.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class CohortTestTest {
  private static SecureRandom seeded(long seed) throws Exception {
    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
    r.setSeed(seed);
    return r;
  }

  /** How often a cohort of this size contributes, over many decisions. */
  private static double contributes(CohortTest t, long rows, int minimum, int draws) {
    int yes = 0;
    for (int i = 0; i < draws; i++) if (t.contributes(rows, minimum)) yes++;
    return (double) yes / draws;
  }

  @Test
  void oneMorePatientMovesTheDecisionByAtMostItsEpsilon() throws Exception {
    // The differencing attack: cohorts of 10 and 9 rows against a minimum of 10. The probability
    // of either answer may change by at most a factor e^EPSILON, so the answer says almost nothing.
    CohortTest t = new CohortTest(seeded(7));
    int draws = 400_000;
    double ten = contributes(t, 10, 10, draws);
    double nine = contributes(t, 9, 10, draws);
    double bound = Math.exp(CohortTest.EPSILON);
    assertTrue(ten / nine <= bound * 1.02 && (1 - nine) / (1 - ten) <= bound * 1.02,
        "P(contributes | 10) = " + ten + ", P(contributes | 9) = " + nine + ": their ratio must stay within e^" + CohortTest.EPSILON);
    assertTrue(Math.abs(ten - nine) < 0.05, "the two cohorts are nearly indistinguishable: " + ten + " vs " + nine);
  }

  @Test
  void largeCohortsContributeAndTinyOnesRarelyDo() throws Exception {
    CohortTest t = new CohortTest(seeded(3));
    assertTrue(contributes(t, 500, 10, 20_000) > 0.999, "a cohort of 500 against a minimum of 10 contributes");
    assertTrue(contributes(t, 0, 100, 20_000) < 0.01, "an empty cohort against a minimum of 100 rarely does");
    assertEquals(0.5, contributes(t, 10, 10, 200_000), 0.02, "at the minimum it is a coin flip: the noise is symmetric");
  }
}
