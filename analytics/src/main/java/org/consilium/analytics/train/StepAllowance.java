package org.consilium.analytics.train;

import java.util.List;
import java.util.stream.Collectors;
import org.consilium.analytics.wire.StepStart;

/**
 * A node's count of the steps of one training job it has taken part in. Under DP the
 * accounting paid for a fixed sequence of phases (e.g. max_rounds gradient rounds, then one
 * evaluation round); a coordinator that asks for more, for another kind of step, or goes back
 * to an earlier phase is refused, so it cannot spend a node's data beyond what the node
 * reserved. An exact job counts nothing.
 */
public final class StepAllowance {
  /** So many steps of one kind, in this place of the sequence; the name says them in a refusal. */
  record Phase(StepStart.Kind kind, int steps, String name) {}

  /** Where an admitted step sits: its phase's index in the sequence and its index within the phase (both -1 when exact). */
  public record Admitted(int phase, int step) {
    /** The very first step of the whole sequence (a DP training job's first gradient round releases the row count). */
    public boolean first() {
      return phase == 0 && step == 0;
    }
  }

  private static final Admitted UNCOUNTED = new Admitted(-1, -1);

  private final List<Phase> phases;
  private int phase;
  private int taken;

  private StepAllowance(List<Phase> phases) {
    this.phases = List.copyOf(phases);
  }

  static StepAllowance exact() {
    return new StepAllowance(List.of());
  }

  static StepAllowance of(Phase... phases) {
    if (phases.length == 0) throw new IllegalArgumentException("a DP allowance has at least one phase");
    return new StepAllowance(List.of(phases));
  }

  /** Admits a step and says where it sits (uncounted when the job is exact). Throws when the step was not paid for. */
  public Admitted admit(StepStart.Kind kind) {
    if (phases.isEmpty()) return UNCOUNTED;
    for (int p = phase; p < phases.size(); p++) {
      if (phases.get(p).kind() != kind) continue;
      if (p > phase) {
        phase = p;
        taken = 0;
      }
      if (taken < phases.get(p).steps()) return new Admitted(p, taken++);
      break;
    }
    throw new IllegalArgumentException("the job's privacy accounting paid for " + phases.stream()
        .map(p -> p.steps() + " " + p.name()).collect(Collectors.joining(", then ")) + "; this node refuses another " + kind + " step");
  }
}
