package org.consilium.analytics.job;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.train.EbmJob;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.analytics.wire.StepStart;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;
import org.consilium.mpc.ring.RingVector;

/** A federated Explainable Boosting Machine ({@link EbmJob}): BOOST steps over the features, then EVALUATE. */
public final class EbmComputation implements Computation {
  private final JobSpec spec;
  private final EbmJob ebm;

  EbmComputation(JobSpec spec, DatasetDictionary dictionary, int sites) {
    this.spec = spec;
    this.ebm = new EbmJob(spec.getTrain(), dictionary, spec.getPrivacy().getEpsilon(), sites);
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

  /** Exact training: each site's evaluation is its own block. */
  @Override
  public boolean releasesPerSite() {
    return true;
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
    return step -> ebm.encode(ebm.local(step, cohort, party - 1));
  }

  @Override
  public Driver driver(List<String> sites, int threshold, Function<String, List<DatasheetAnswer>> narratives) {
    EbmJob.Driver driver = ebm.driver(sites);
    return new Driver() {
      @Override
      public StepStart current() {
        return driver.current();
      }

      @Override
      public Outcome onAggregate(RingVector aggregate, List<String> contributors) {
        TrainedModel model = driver.onAggregate(ebm.decode(aggregate), contributors);
        if (model == null) return new Outcome.Next(driver.current());
        PrivacyAccounting accounting = org.consilium.analytics.dp.Accounting.exact().release(threshold, contributors,
            OneStep.dropped(sites, contributors));
        return new Outcome.Release(JobResult.newBuilder().setModel(model.toBuilder().setPrivacy(accounting)).setAccounting(accounting).build());
      }

      @Override
      public List<TrainingRound> progress() {
        return driver.rounds();
      }
    };
  }
}
