package org.consilium.analytics.job;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.stats.StatisticsQuery;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.StepStart;
import org.consilium.mpc.ring.RingVector;

/** Statistics of one column (counts, means, variances, histograms, per group): one step, started on acceptance. */
public final class StatisticsComputation implements Computation {
  private final JobSpec spec;
  private final StatisticsQuery query;
  private final Accounting plan;

  StatisticsComputation(JobSpec spec, DatasetDictionary dictionary) {
    this.spec = spec;
    this.query = StatisticsQuery.of(spec.getStatistics(), dictionary, !JobSpecs.isExact(spec));
    this.plan = query.plan(spec.getPrivacy().getEpsilon(), JobSpecs.delta(spec));
  }

  /** The query itself, for computing the same statistics pooled in the clear (references, tests). */
  public StatisticsQuery query() {
    return query;
  }

  @Override
  public JobSpec spec() {
    return spec;
  }

  @Override
  public List<String> columns() {
    return Computation.withCohort(query.columns(), spec);
  }

  @Override
  public long cohortSize(Dataset cohort) {
    return query.local(cohort).cohortSize();
  }

  @Override
  public Optional<StepStart> openingStep() {
    return Optional.of(OneStep.STEP);
  }

  @Override
  public int vectorLength(StepStart step) {
    return query.vectorLength();
  }

  @Override
  public Contributor contributor(Dataset cohort, int party, int threshold, SkellamNoise noise) {
    return OneStep.contributor(step -> query.local(cohort).encoded().plus(query.noiseShare(plan, threshold, noise)));
  }

  @Override
  public Driver driver(List<String> sites, int threshold, Function<String, List<DatasheetAnswer>> narratives) {
    return OneStep.driver(sites, (sum, contributors) -> JobResult.newBuilder()
        .setStatistics(query.release(sum, plan, threshold, contributors.size()))
        .setAccounting(plan.release(threshold, contributors, OneStep.dropped(sites, contributors))).build());
  }
}
