package org.consilium.analytics.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.dictionary.DatasetDictionary;
import org.consilium.analytics.report.DatasheetQuery;
import org.consilium.analytics.stats.InvalidSpecException;
import org.consilium.analytics.train.TrainingJob;
import org.consilium.analytics.stats.StatisticsQuery;

/** Parsing and validation of job specs, shared by the coordinator (on submit) and nodes (on offer). */
public final class JobSpecs {
  public static final int SPEC_VERSION = 1;
  public static final double DEFAULT_DELTA = 1e-6;

  private JobSpecs() {}

  /** Parses a JSON job spec (protobuf JSON mapping); unknown fields are an error. */
  public static JobSpec fromJson(String json) {
    JobSpec.Builder b = JobSpec.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidSpecException("(json)", e.getMessage());
    }
    return b.build();
  }

  public static String toJson(com.google.protobuf.MessageOrBuilder m) {
    try {
      return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when the job asks for an exact, un-noised release. */
  public static boolean isExact(JobSpec spec) {
    return Double.isInfinite(spec.getPrivacy().getEpsilon());
  }

  public static double delta(JobSpec spec) {
    return spec.getPrivacy().getDelta() == 0 ? DEFAULT_DELTA : spec.getPrivacy().getDelta();
  }

  /** The threshold t for n participants: declared, or a strict majority. */
  public static int threshold(JobSpec spec, int participants) {
    int t = spec.getThreshold() == 0 ? participants / 2 + 1 : spec.getThreshold();
    if (t < 2 || t > participants) {
      throw new InvalidSpecException("threshold", "must be in 2.." + participants + " for " + participants
          + " participants, got " + t);
    }
    return t;
  }

  /**
   * Checks everything that does not depend on a node's data or policy, against the data
   * dictionary: the dataset and every column it names are declared, bounds only narrow the
   * dictionary's, and the privacy parameters can be calibrated (building the computation is
   * the check).
   */
  public static void validate(JobSpec spec, DataDictionary dictionary) {
    if (spec.getSpecVersion() != SPEC_VERSION) {
      throw new InvalidSpecException("spec_version", "must be " + SPEC_VERSION + ", got " + spec.getSpecVersion());
    }
    if (spec.getDataset().isBlank()) throw new InvalidSpecException("dataset", "must name a dataset");
    double eps = spec.getPrivacy().getEpsilon();
    if (!(eps > 0)) throw new InvalidSpecException("privacy.epsilon", "must be positive (or Infinity for an exact release), got " + eps);
    double delta = delta(spec);
    if (!(delta > 0 && delta < 1e-3)) throw new InvalidSpecException("privacy.delta", "must be in (0, 0.001), got " + delta);
    if (spec.getNodesCount() != spec.getNodesList().stream().distinct().count()) {
      throw new InvalidSpecException("nodes", "lists a node twice");
    }
    org.consilium.analytics.data.Cohort.validate(spec.getCohortList());
    DatasetDictionary columns = dictionary.dataset(spec.getDataset());
    spec.getCohortList().forEach(c -> columns.column(c.getColumn(), "cohort.column"));
    switch (spec.getComputationCase()) {
      case STATISTICS -> statistics(spec, dictionary).plan(eps, delta);
      case TRAIN -> training(spec, 2, dictionary);
      case DATASHEET -> new DatasheetQuery(spec.getDatasheet(), 2, columns).mu(eps, delta);
      default -> throw new InvalidSpecException("computation", "must be one of: statistics, train, datasheet");
    }
  }

  /** The statistics computation of a spec (validated against the dictionary). */
  public static StatisticsQuery statistics(JobSpec spec, DataDictionary dictionary) {
    return StatisticsQuery.of(spec.getStatistics(), dictionary.dataset(spec.getDataset()), !isExact(spec));
  }

  /** The training computation of a spec over this many sites (validated against the dictionary). */
  public static TrainingJob training(JobSpec spec, int sites, DataDictionary dictionary) {
    return new TrainingJob(spec.getTrain(), dictionary.dataset(spec.getDataset()), spec.getPrivacy().getEpsilon(), delta(spec), sites);
  }

  /** The datasheet computation of a spec for this many sites (validated against the dictionary). */
  public static DatasheetQuery datasheet(JobSpec spec, int sites, DataDictionary dictionary) {
    return new DatasheetQuery(spec.getDatasheet(), sites, dictionary.dataset(spec.getDataset()));
  }

  /** The name of the computation, as node policies list it. */
  public static String computation(JobSpec spec) {
    return switch (spec.getComputationCase()) {
      case TRAIN -> "train";
      case DATASHEET -> "datasheet";
      default -> "statistics";
    };
  }

  /** A stable digest of a spec, recorded in ledgers and audit entries. */
  public static String digest(JobSpec spec) {
    return org.consilium.analytics.identity.Digests.sha256Hex(spec.toByteArray());
  }
}
