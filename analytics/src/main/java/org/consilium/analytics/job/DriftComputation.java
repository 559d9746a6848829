package org.consilium.analytics.job;

import java.util.List;
import java.util.function.Function;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.drift.DriftQuery;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.mpc.ring.RingVector;

/** A drift measurement of a released model: its features' and scores' distributions in one step, per site or pooled. */
public final class DriftComputation extends OneStep {
  private final DriftQuery query;
  private final Accounting plan;

  DriftComputation(JobSpec spec, DatasetDictionary dictionary, int sites) {
    super(spec);
    this.query = new DriftQuery(spec.getDrift(), sites, dictionary);
    this.plan = query.plan(spec.getPrivacy().getEpsilon(), JobSpecs.delta(spec));
  }

  /** The query itself, for the same measurement in the clear (references, tests). */
  public DriftQuery query() {
    return query;
  }

  @Override
  public boolean releasesPerSite() {
    return spec().getDrift().getPerSite();
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
    return cohort.rowCount();
  }

  @Override
  RingVector input(Dataset cohort, int party, int threshold, SkellamNoise noise) {
    return query.local(cohort, party).plus(query.noiseShare(plan, threshold, noise));
  }

  @Override
  JobResult release(RingVector aggregate, List<String> contributors, List<String> sites, int threshold,
      Function<String, List<DatasheetAnswer>> narratives) {
    PrivacyAccounting accounting = plan.release(threshold, contributors, dropped(sites, contributors));
    return JobResult.newBuilder().setDrift(query.release(aggregate, sites, accounting)).setAccounting(accounting).build();
  }
}
