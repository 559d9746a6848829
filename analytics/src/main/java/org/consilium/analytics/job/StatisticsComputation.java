package org.consilium.analytics.job;

import java.util.List;
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
import org.consilium.mpc.ring.RingVector;

/** Statistics of one column (counts, means, variances, histograms, per group): one step, started on acceptance. */
public final class StatisticsComputation extends OneStep {
  private final StatisticsQuery query;
  private final Accounting plan;

  StatisticsComputation(JobSpec spec, DatasetDictionary dictionary) {
    super(spec);
    this.query = StatisticsQuery.of(spec.getStatistics(), dictionary, !JobSpecs.isExact(spec));
    this.plan = query.plan(spec.getPrivacy().getEpsilon(), JobSpecs.delta(spec));
  }

  /** The query itself, for computing the same statistics pooled in the clear (references, tests). */
  public StatisticsQuery query() {
    return query;
  }

  @Override
  public boolean releasesPerSite() {
    return false;
  }

  @Override
  List<String> ownColumns() {
    return query.columns();
  }

  @Override
  int length() {
    return query.vectorLength();
  }

  @Override
  public long cohortSize(Dataset cohort) {
    return query.local(cohort).cohortSize();
  }

  @Override
  RingVector input(Dataset cohort, int party, int threshold, SkellamNoise noise) {
    return query.local(cohort).encoded().plus(query.noiseShare(plan, threshold, noise));
  }

  @Override
  JobResult release(RingVector aggregate, List<String> contributors, List<String> sites, int threshold,
      Function<String, List<DatasheetAnswer>> narratives) {
    return JobResult.newBuilder().setStatistics(query.release(aggregate, plan, threshold, contributors.size()))
        .setAccounting(plan.release(threshold, contributors, dropped(sites, contributors))).build();
  }
}
