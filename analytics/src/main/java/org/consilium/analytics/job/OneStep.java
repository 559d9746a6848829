package org.consilium.analytics.job;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.StepStart;
import org.consilium.mpc.ring.RingVector;

/** The node and coordinator sides of a computation with one step, started on acceptance (statistics, datasheets). */
final class OneStep {
  static final StepStart STEP = StepStart.newBuilder().setKind(StepStart.Kind.ONLY).build();

  private OneStep() {}

  /** A contributor that gives its input once, to the one step, and refuses any other. */
  static Computation.Contributor contributor(Function<StepStart, RingVector> input) {
    return new Computation.Contributor() {
      private boolean given;

      @Override
      public RingVector input(StepStart step) {
        if (step.getKind() != StepStart.Kind.ONLY) {
          throw new IllegalArgumentException("this computation has one step, started on acceptance; it has no " + step.getKind() + " step");
        }
        if (given) throw new IllegalArgumentException("this node already gave its input to the job's one step");
        given = true;
        return input.apply(step);
      }
    };
  }

  /** A driver whose one aggregate is the release. */
  static Computation.Driver driver(List<String> sites, BiFunction<RingVector, List<String>, JobResult> release) {
    return new Computation.Driver() {
      private boolean released;

      @Override
      public StepStart current() {
        return STEP;
      }

      @Override
      public Computation.Outcome onAggregate(RingVector aggregate, List<String> contributors) {
        if (released) throw new IllegalStateException("the job's one step was already released");
        released = true;
        return new Computation.Outcome.Release(release.apply(aggregate, contributors));
      }
    };
  }

  static List<String> dropped(List<String> sites, List<String> contributors) {
    return sites.stream().filter(n -> !contributors.contains(n)).toList();
  }
}
