package org.consilium.analytics.job;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.train.EbmBooster;
import org.consilium.analytics.train.EbmJob;
import org.consilium.analytics.train.StepAllowance;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;
import org.consilium.mpc.ring.RingVector;

/**
 * A federated Explainable Boosting Machine ({@link EbmJob}): BOOST steps over the features (after
 * the bin counts under DP; then FAST's PAIRS and BOOST_PAIR steps when interactions are asked
 * for), then EVALUATE; each node admitting only the steps its reservation paid for.
 */
public final class EbmComputation implements Computation {
  private final JobSpec spec;
  private final EbmJob ebm;

  EbmComputation(JobSpec spec, DatasetDictionary dictionary, int sites) {
    this.spec = spec;
    this.ebm = new EbmJob(spec.getTrain(), dictionary, spec.getPrivacy().getEpsilon(), org.consilium.analytics.codec.JobSpecs.delta(spec), sites);
  }

  @Override
  public JobSpec spec() {
    return spec;
  }

  @Override
  public List<String> columns() {
    return Computation.withCohort(ebm.columns(), spec);
  }

  @Override
  public long cohortSize(Dataset cohort) {
    return ebm.features().rows(cohort, null).size();
  }

  /** Each site's evaluation is its own block when the job is exact or asks for it (per_site_evaluation). */
  @Override
  public boolean releasesPerSite() {
    return !ebm.isDp() || spec.getTrain().getPerSiteEvaluation();
  }

  @Override
  public Optional<StepStart> openingStep() {
    return Optional.empty();
  }

  @Override
  public int vectorLength(StepStart step) {
    return ebm.vectorLength(step);
  }

  @Override
  public Contributor contributor(Dataset cohort, int party, int threshold, SkellamNoise noise) {
    StepAllowance allowance = ebm.allowance();
    return step -> {
      allowance.admit(step.getKind());
      return ebm.encode(ebm.local(step, cohort, party - 1)).plus(ebm.noiseShare(step, threshold, noise));
    };
  }

  @Override
  public Driver driver(List<String> sites, int threshold, Function<String, List<DatasheetAnswer>> narratives) {
    EbmBooster driver = ebm.driver(sites, threshold);
    return new Driver() {
      @Override
      public StepStart current() {
        return driver.current();
      }

      @Override
      public Outcome onAggregate(RingVector aggregate, List<String> contributors) {
        TrainedModel model = driver.onAggregate(ebm.decode(aggregate), contributors);
        if (model == null) return new Outcome.Next(driver.current());
        PrivacyAccounting accounting = ebm.accounting(threshold, contributors, OneStep.dropped(sites, contributors));
        return new Outcome.Release(JobResult.newBuilder().setModel(model.toBuilder().setPrivacy(accounting)).setAccounting(accounting).build());
      }

      @Override
      public List<TrainingRound> progress() {
        return driver.rounds();
      }
    };
  }
}
