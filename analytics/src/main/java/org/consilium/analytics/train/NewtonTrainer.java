package org.consilium.analytics.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The coordinator's loop: starting from zero, ask for the aggregated Newton sums at the current
 * coefficients, update, and stop when the largest change is below the tolerance or the round
 * budget is spent. Where the sums come from (a secure sum across nodes, or a pooled reference
 * computation) is the caller's function, so the federated and the pooled fit share every line.
 *
 * <p>The tolerance must sit above the noise floor of the encoded sums: with {@link SumEncoding}'s
 * 20 fractional bits, steps stop shrinking at a few 1e-7 on the Heart Disease model.
 */
public final class NewtonTrainer {
  private NewtonTrainer() {}

  /** The fitted coefficients and every round's update (loss, gradient norm, change). */
  public record Result(double[] beta, List<GlmNewton.Update> rounds, boolean converged) {}

  public static Result train(GlmNewton glm, int width, int maxRounds, double tolerance, Function<double[], double[]> aggregatedSums) {
    double[] beta = new double[width];
    List<GlmNewton.Update> rounds = new ArrayList<>();
    for (int r = 0; r < maxRounds; r++) {
      GlmNewton.Update u = glm.combine(aggregatedSums.apply(beta), beta);
      rounds.add(u);
      beta = u.beta();
      if (u.maxChange() < tolerance) return new Result(beta, rounds, true);
    }
    return new Result(beta, rounds, false);
  }
}
