package org.consilium.analytics.job;

import java.util.List;
import java.util.function.Function;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.dp.Accounting;
import org.consilium.analytics.dp.SkellamNoise;
import org.consilium.analytics.report.DatasheetQuery;
import org.consilium.analytics.wire.DatasheetAnswer;
import org.consilium.analytics.wire.DatasheetSection;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.analytics.wire.PrivacyAccounting;
import org.consilium.mpc.ring.RingVector;

/**
 * The consortium datasheet: per-site composition counts in one step (each site fills its own
 * block), released with the sites' own narrative answers beside them.
 */
public final class DatasheetComputation extends OneStep {
  private final DatasheetQuery query;
  private final Accounting plan;

  DatasheetComputation(JobSpec spec, DatasetDictionary dictionary, int sites) {
    super(spec);
    this.query = new DatasheetQuery(spec.getDatasheet(), sites, dictionary);
    this.plan = query.plan(spec.getPrivacy().getEpsilon(), JobSpecs.delta(spec));
  }

  @Override
  public boolean releasesPerSite() {
    return true;
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
    var sheet = query.release(aggregate, sites, accounting).toBuilder();
    for (String n : sites) {
      narratives.apply(n).forEach(a -> sheet.addAnswers(DatasheetSection.newBuilder().setNode(n).setSection(a.getSection())
          .setText(a.getText())));
    }
    return JobResult.newBuilder().setDatasheet(sheet).setAccounting(accounting).build();
  }
}
