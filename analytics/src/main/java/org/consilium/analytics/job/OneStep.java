package org.consilium.analytics.job;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.StepStart;
import org.consilium.mpc.ring.RingVector;

/**
 * A computation with one step, started on acceptance (statistics, datasheets): each node gives
 * one input, once, and the coordinator releases the one aggregate. A subclass says what the
 * vector holds and how its aggregate is released.
 */
abstract sealed class OneStep implements Computation permits StatisticsComputation, DatasheetComputation, DriftComputation {
  static final StepStart STEP = StepStart.newBuilder().setKind(StepStart.Kind.ONLY).build();
  private final JobSpec spec;

  OneStep(JobSpec spec) {
    this.spec = spec;
  }

  /** The columns the computation itself reads (the cohort filter's are added). */
  abstract List<String> ownColumns();

  abstract int length();

  /** A node's input: its exact local vector plus its noise share. */
  abstract RingVector input(Dataset cohort, int party, int threshold, SkellamNoise noise);

  /** The release of the aggregate of these contributors among these sites. */
  abstract JobResult release(RingVector aggregate, List<String> contributors, List<String> sites, int threshold,
      Function<String, List<DatasheetAnswer>> narratives);

  @Override
  public final JobSpec spec() {
    return spec;
  }

  @Override
  public final List<String> columns() {
    return Computation.withCohort(ownColumns(), spec);
  }

  @Override
  public final Optional<StepStart> openingStep() {
    return Optional.of(STEP);
  }

  @Override
  public final int vectorLength(StepStart step) {
    return length();
  }

  /** A contributor that gives its input once, to the one step, and refuses any other. */
  @Override
  public final Contributor contributor(Dataset cohort, int party, int threshold, SkellamNoise noise) {
    return new Contributor() {
      private boolean given;

      @Override
      public RingVector input(StepStart step) {
        if (step.getKind() != StepStart.Kind.ONLY) {
          throw new IllegalArgumentException("this computation has one step, started on acceptance; it has no " + step.getKind() + " step");
        }
        if (given) throw new IllegalArgumentException("this node already gave its input to the job's one step");
        given = true;
        return OneStep.this.input(cohort, party, threshold, noise);
      }
    };
  }

  /** A driver whose one aggregate is the release. */
  @Override
  public final Driver driver(List<String> sites, int threshold, Function<String, List<DatasheetAnswer>> narratives) {
    return new Driver() {
      private boolean released;

      @Override
      public StepStart current() {
        return STEP;
      }

      @Override
      public Outcome onAggregate(RingVector aggregate, List<String> contributors) {
        if (released) throw new IllegalStateException("the job's one step was already released");
        released = true;
        return new Outcome.Release(release(aggregate, contributors, sites, threshold, narratives));
      }
    };
  }

  static List<String> dropped(List<String> sites, List<String> contributors) {
    return sites.stream().filter(n -> !contributors.contains(n)).toList();
  }
}
