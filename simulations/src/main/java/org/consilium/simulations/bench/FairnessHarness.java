package org.consilium.simulations.bench;

import com.google.protobuf.util.JsonFormat;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.consilium.analytics.wire.BiasAudit;
import org.consilium.analytics.wire.FairnessReport;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.simulations.DefaultJob;
import org.consilium.simulations.HeartDisease;
import org.consilium.simulations.LocalConsortium;

/**
 * The fairness figures of the analytics README: the four hospitals as node processes train the
 * exact logistic regression of heart disease once per post-processing mitigation (none,
 * demographic parity thresholds, ThresholdOptimizer for equalized odds and for true positive rate
 * parity), with sex as the sensitive feature; prints AUC, accuracy and the disparities before
 * and after, and the bias audit against the largest group.
 */
public final class FairnessHarness {
  private FairnessHarness() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("consilium-fairness-");
    Map<String, Map<String, String>> nodes = new HashMap<>();
    for (String id : HeartDisease.HOSPITALS.keySet()) {
      nodes.put(id, Map.of("policy.allow_exact_release", "true", "policy.allowed_computations", "[statistics, train]"));
    }
    try (LocalConsortium c = LocalConsortium.start(new LocalConsortium.Options(work, nodes, Map.of()))) {
      System.out.printf(Locale.ROOT, "Four hospitals, exact logistic regression, held-out quarter of each site, sensitive feature sex%n%n");
      System.out.println("| mitigation | AUC | accuracy | DP difference | EO difference | EOpp difference | bias audit (fdr for ppr pprev precision) |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (String mitigation : List.of("NO_MITIGATION", "THRESHOLD_DEMOGRAPHIC_PARITY", "THRESHOLD_EQUALIZED_ODDS",
          "THRESHOLD_TRUE_POSITIVE_RATE_PARITY")) {
        String spec = DefaultJob.trainSpec("AGGREGATION_MASKING").replace("\"THRESHOLD_DEMOGRAPHIC_PARITY\"", "\"" + mitigation + "\"");
        JsonObject job = c.awaitJob(c.submit(spec), Duration.ofMinutes(3));
        JobResult.Builder b = JobResult.newBuilder();
        JsonFormat.parser().merge(job.getJsonObject("result").encode(), b);
        TrainedModel m = b.getModel();
        if (mitigation.equals("NO_MITIGATION")) {
          row("none (threshold 0.5)", m.getAuc(), m.getAccuracy(), m.getFairness());
        } else if (!m.getMitigation().getNotApplied().isEmpty()) {
          System.out.println("| " + mitigation + " | not applied: " + m.getMitigation().getNotApplied() + " |");
        } else {
          row(mitigation, m.getAuc(), m.getMitigation().getAccuracyAfter(), m.getMitigation().getAfter());
        }
      }
    }
  }

  private static void row(String name, double auc, double accuracy, FairnessReport f) {
    System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %s |%n", name, auc, accuracy, f.getDemographicParityDifference(),
        f.getEqualizedOddsDifference(), f.getEqualOpportunityDifference(), verdicts(f.getBiasAudit()));
  }

  private static String verdicts(BiasAudit a) {
    if (!a.getNotApplied().isEmpty()) return "not applied";
    StringBuilder s = new StringBuilder();
    for (var m : a.getMetricsList()) {
      var other = m.getGroupsList().stream().filter(g -> !g.getGroup().equals(a.getReferenceGroup())).findFirst().orElseThrow();
      s.append(String.format(Locale.ROOT, "%s x%.2f %s; ", m.getMetric(), other.getDisparity(), m.getVerdict()));
    }
    return s.toString().trim();
  }
}
