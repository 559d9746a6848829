package org.consilium.analytics.job;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.consilium.analytics.data.Cohort;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainingRound;
import org.consilium.mpc.ring.RingVector;

/**
 * What a job computes, the one contract node and coordinator share. Built once from a spec
 * ({@link #of}; building it is validating it), it names the columns it reads and how a node
 * counts its cohort, gives a node its input for each step ({@link Contributor}: local sums plus
 * its share of the noise) and the coordinator what to do with each aggregate ({@link Driver}:
 * the next step, or the release with its privacy accounting). Nothing outside a computation
 * branches on the kind of job: a new kind of job is one more implementation here.
 */
public sealed interface Computation permits OneStep, TrainingComputation, EbmComputation {

  /**
   * The computation of a spec over this many sites. Checks everything that does not depend on a
   * node's data or policy, against the data dictionary; throws {@link InvalidSpecException}
   * naming the field.
   */
  static Computation of(JobSpec spec, int sites, DataDictionary dictionary) {
    JobSpecs.checkEnvelope(spec);
    DatasetDictionary columns = dictionary.dataset(spec.getDataset());
    spec.getCohortList().forEach(c -> columns.column(c.getColumn(), "cohort.column"));
    return switch (spec.getComputationCase()) {
      case STATISTICS -> new StatisticsComputation(spec, columns);
      case TRAIN -> spec.getTrain().getModel() == org.consilium.analytics.wire.TrainSpec.Model.EBM
          ? new EbmComputation(spec, columns, sites) : new TrainingComputation(spec, columns, sites);
      case DATASHEET -> new DatasheetComputation(spec, columns, sites);
      case DRIFT -> new DriftComputation(spec, columns, sites);
      default -> throw new InvalidSpecException("computation", "must be one of: statistics, train, datasheet, drift");
    };
  }

  /** The spec this computation was built from. */
  JobSpec spec();

  /** The columns a node must hold and its policy allow: those computed on and those of the cohort filter. */
  List<String> columns();

  /** The rows of a node's cohort this computation would use (what the minimum cohort size is checked against). */
  long cohortSize(Dataset cohort);

  /**
   * The step nodes start as soon as they accept, without waiting for the coordinator (a
   * one-step computation saves a round trip this way); empty when the coordinator announces
   * every step with STEP_START among those who accepted.
   */
  Optional<StepStart> openingStep();

  /**
   * Whether the release shows each site's own figures (its own block of the vector) rather than
   * only figures pooled over the sites: a node's policy may refuse such jobs.
   */
  boolean releasesPerSite();

  /** The length of the vector aggregated in a step. */
  int vectorLength(StepStart step);

  /** A node's side of the job: its input for each step. party is its index among the sites (1-based). */
  Contributor contributor(Dataset cohort, int party, int threshold, SkellamNoise noise);

  /** The coordinator's side of the job over the named sites (in party order) with threshold t. */
  Driver driver(List<String> sites, int threshold, Function<String, List<DatasheetAnswer>> narratives);

  /** The columns of a spec's cohort filter, appended to a computation's own (no duplicates). */
  static List<String> withCohort(List<String> own, JobSpec spec) {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(own);
    all.addAll(Cohort.columns(spec.getCohortList()));
    return List.copyOf(all);
  }

  /** A node's side: stateful, one per accepted job. */
  interface Contributor {
    /**
     * This node's input to a step: its exact local sums plus its share of the noise. Throws
     * IllegalArgumentException when the step does not belong to the computation or was not paid
     * for by the node's reservation.
     */
    RingVector input(StepStart step);
  }

  /** The coordinator's side: stateful, one per job. */
  interface Driver {
    /** The step to run now (without session and participants, which the runner adds). */
    StepStart current();

    /** Feeds the aggregate of the current step from these contributors: the next step, or the release. */
    Outcome onAggregate(RingVector aggregate, List<String> contributors);

    /** Progress worth showing while the job runs (a training job's rounds); empty for one-step jobs. */
    default List<TrainingRound> progress() {
      return List.of();
    }
  }

  /** What the coordinator does with an aggregate. */
  sealed interface Outcome {
    /** Run this step next, among the contributors of the last. */
    record Next(StepStart step) implements Outcome {}

    /** Release this result (without its job id, which the runner sets); the job is done. */
    record Release(JobResult result) implements Outcome {}
  }
}
