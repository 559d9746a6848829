package org.consilium.analytics.job;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.train.StepAllowance;
import org.consilium.analytics.train.TrainingJob;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;
import org.consilium.mpc.ring.RingVector;

/**
 * Federated training of a generalised linear model ({@link TrainingJob}): steps the coordinator
 * announces among those who accepted, each node admitting only the steps its reservation paid
 * for ({@link StepAllowance}).
 */
public final class TrainingComputation implements Computation {
  private final JobSpec spec;
  private final TrainingJob training;

  TrainingComputation(JobSpec spec, DatasetDictionary dictionary, int sites) {
    this.spec = spec;
    this.training = new TrainingJob(spec.getTrain(), dictionary, spec.getPrivacy().getEpsilon(), JobSpecs.delta(spec), sites);
  }

  @Override
  public JobSpec spec() {
    return spec;
  }

  @Override
  public List<String> columns() {
    return Computation.withCohort(training.columns(), spec);
  }

  @Override
  public long cohortSize(Dataset cohort) {
    return training.features().usableRows(cohort);
  }

  /** Each site's evaluation is its own block when the job is exact or asks for it (per_site_evaluation). */
  @Override
  public boolean releasesPerSite() {
    return JobSpecs.isExact(spec) || spec.getTrain().getPerSiteEvaluation();
  }

  @Override
  public Optional<StepStart> openingStep() {
    return Optional.empty();
  }

  @Override
  public int vectorLength(StepStart step) {
    return training.vectorLength(step.getKind());
  }

  @Override
  public Contributor contributor(Dataset cohort, int party, int threshold, SkellamNoise noise) {
    StepAllowance allowance = training.allowance();
    return step -> {
      boolean releaseRows = allowance.admit(step.getKind()).first();
      RingVector local = training.local(step, cohort, party - 1, releaseRows);
      return local.plus(training.noiseShare(step, releaseRows, threshold, noise));
    };
  }

  @Override
  public Driver driver(List<String> sites, int threshold, Function<String, List<DatasheetAnswer>> narratives) {
    TrainingJob.Driver driver = training.driver(sites, threshold);
    return new Driver() {
      /** The exponentiated-gradient phase once the unconstrained model is done (null before, or without it). */
      private TrainingJob.ReductionsPhase reductions;

      @Override
      public StepStart current() {
        return reductions != null ? reductions.current() : driver.current();
      }

      @Override
      public Outcome onAggregate(RingVector aggregate, List<String> contributors) {
        TrainedModel model;
        if (reductions != null) {
          model = reductions.onAggregate(aggregate, contributors);
          if (model == null) return new Outcome.Next(reductions.current());
        } else {
          model = driver.onAggregate(aggregate, contributors);
          if (model == null) return new Outcome.Next(driver.current());
          reductions = training.reductionsPhase(model, threshold);
          if (reductions != null) return new Outcome.Next(reductions.current());
        }
        PrivacyAccounting accounting = training.accounting(threshold, contributors, OneStep.dropped(sites, contributors));
        return new Outcome.Release(JobResult.newBuilder().setModel(model.toBuilder().setPrivacy(accounting))
            .setAccounting(accounting).build());
      }

      @Override
      public List<TrainingRound> progress() {
        if (reductions == null) return driver.rounds();
        List<TrainingRound> all = new java.util.ArrayList<>(driver.rounds());
        for (TrainingRound r : reductions.rounds()) all.add(r.toBuilder().setRound(all.size() + 1).build());
        return all;
      }
    };
  }
}
