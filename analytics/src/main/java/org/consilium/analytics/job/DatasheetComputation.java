package org.consilium.analytics.job;

import java.util.List;
import java.util.Optional;
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
import org.consilium.analytics.wire.StepStart;

/**
 * The consortium datasheet: per-site composition counts in one step (each site fills its own
 * block), released with the sites' own narrative answers beside them.
 */
public final class DatasheetComputation implements Computation {
  private final JobSpec spec;
  private final DatasheetQuery query;
  private final Accounting plan;

  DatasheetComputation(JobSpec spec, DatasetDictionary dictionary, int sites) {
    this.spec = spec;
    this.query = new DatasheetQuery(spec.getDatasheet(), sites, dictionary);
    this.plan = query.plan(spec.getPrivacy().getEpsilon(), JobSpecs.delta(spec));
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
    return cohort.rowCount();
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
    return OneStep.contributor(step -> query.local(cohort, party).plus(query.noiseShare(plan, threshold, noise)));
  }

  @Override
  public Driver driver(List<String> sites, int threshold, Function<String, List<DatasheetAnswer>> narratives) {
    return OneStep.driver(sites, (sum, contributors) -> {
      PrivacyAccounting accounting = plan.release(threshold, contributors, OneStep.dropped(sites, contributors));
      var sheet = query.release(sum, sites, accounting).toBuilder();
      for (String n : sites) {
        narratives.apply(n).forEach(a -> sheet.addAnswers(DatasheetSection.newBuilder().setNode(n).setSection(a.getSection())
            .setText(a.getText())));
      }
      return JobResult.newBuilder().setDatasheet(sheet).setAccounting(accounting).build();
    });
  }
}
