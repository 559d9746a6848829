package org.consilium.analytics.train;

import org.consilium.analytics.wire.StepStart;

/**
 * A node's count of the steps of one training job it has taken part in. Under DP the
 * accounting paid for exactly max_rounds gradient rounds (the first carrying the row count)
 * and one evaluation round; a coordinator that asks for more, or for another kind of step, is
 * refused, so it cannot spend a node's data beyond what the node reserved.
 */
public final class StepAllowance {
  private final boolean dp;
  private final int gradientRounds;
  private int gradients;
  private boolean evaluated;

  StepAllowance(boolean dp, int gradientRounds) {
    this.dp = dp;
    this.gradientRounds = gradientRounds;
  }

  /** Admits a step; returns true when it is the DP round that releases the row count. Throws when it was not paid for. */
  public boolean admit(StepStart.Kind kind) {
    if (!dp) return false;
    switch (kind) {
      case GRADIENT -> {
        if (evaluated || gradients >= gradientRounds) {
          throw new IllegalArgumentException("the job's privacy accounting paid for " + gradientRounds
              + " gradient rounds before one evaluation; this node refuses another");
        }
        return gradients++ == 0;
      }
      case EVALUATE -> {
        if (evaluated) throw new IllegalArgumentException("the job's privacy accounting paid for one evaluation round; this node refuses another");
        evaluated = true;
        return false;
      }
      default -> throw new IllegalArgumentException("a DP training job has no " + kind + " step");
    }
  }
}
