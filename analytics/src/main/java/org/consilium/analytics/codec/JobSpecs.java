package org.consilium.analytics.codec;

import org.consilium.analytics.wire.JobSpec;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import org.consilium.analytics.stats.InvalidSpecException;

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
   * Checks what every spec must satisfy whatever it computes: version, dataset, privacy
   * parameters, node list and cohort conditions. The rest is checked by building its
   * {@code Computation}, which calls this first.
   */
  public static void checkEnvelope(JobSpec spec) {
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
    int k = spec.getSecaggNeighbours();
    if (k != 0 && (k < 2 || k % 2 != 0)) {
      throw new InvalidSpecException("secagg_neighbours", "must be 0 (everyone) or an even number of at least 2, got " + k);
    }
    if (k != 0 && spec.getAggregation() != org.consilium.analytics.wire.Aggregation.AGGREGATION_MASKING) {
      throw new InvalidSpecException("secagg_neighbours", "applies to masking aggregation only, not " + spec.getAggregation());
    }
  }

  /** The name of the computation, as node policies list it. */
  public static String computation(JobSpec spec) {
    return switch (spec.getComputationCase()) {
      case TRAIN -> "train";
      case DATASHEET -> "datasheet";
      case DRIFT -> "drift";
      default -> "statistics";
    };
  }

  /** A stable digest of a spec, recorded in ledgers and audit entries. */
  public static String digest(JobSpec spec) {
    return org.consilium.analytics.identity.Digests.sha256Hex(spec.toByteArray());
  }
}
