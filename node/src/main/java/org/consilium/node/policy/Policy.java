package org.consilium.node.policy;

import java.util.List;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.ledger.PrivacyLedger;

/**
 * Decides whether this node takes part in a job. Every refusal names the rule (the config key)
 * that refused and why, so the analyst sees which hospital's policy said no. A DP job is refused
 * only by rules that do not look at the data: the minimum cohort of a DP job is a noisy test
 * after acceptance ({@link CohortTest}), never a refusal an analyst could read as an answer.
 */
public final class Policy {
  private final NodeConfig.PolicyConfig rules;

  public Policy(NodeConfig.PolicyConfig rules) {
    this.rules = rules;
  }

  /** Accept, or refuse naming the rule. */
  public record Decision(boolean accepted, String rule, String reason) {
    static Decision accept() {
      return new Decision(true, "", "");
    }

    static Decision refuse(String rule, String reason) {
      return new Decision(false, rule, reason);
    }
  }

  /**
   * columns: what the job reads; perSite: whether its release shows this site's own figures;
   * cohort: the number of local rows it would use.
   */
  public Decision decide(JobSpec spec, List<String> columns, boolean perSite, java.util.function.LongSupplier cohort, int participants,
      int threshold, NodeConfig.DatasetConfig dataset, PrivacyLedger ledger) {
    String computation = JobSpecs.computation(spec);
    if (!rules.allowedComputations().contains(computation)) {
      return Decision.refuse("policy.allowed_computations", computation + " is not among " + rules.allowedComputations());
    }
    if (perSite && !rules.allowPerSiteRelease()) {
      return Decision.refuse("policy.allow_per_site_release", "the job releases each site's own figures; this site allows pooled releases only");
    }
    if (!rules.allowedColumns().isEmpty()) {
      List<String> denied = columns.stream().filter(c -> !rules.allowedColumns().contains(c)).toList();
      if (!denied.isEmpty()) return Decision.refuse("policy.allowed_columns", "columns " + denied + " are not allowed");
    }
    if (threshold < rules.minParties()) {
      return Decision.refuse("policy.min_parties", "threshold " + threshold + " is below the minimum of " + rules.minParties()
          + " parties per release");
    }
    if (participants < rules.minParties()) {
      return Decision.refuse("policy.min_parties", participants + " participants, the minimum is " + rules.minParties());
    }
    int k = spec.getSecaggNeighbours();
    if (org.consilium.mpc.secagg.SessionParams.sparse(k, participants) && (rules.secaggMinNeighbours() == 0 || k < rules.secaggMinNeighbours())) {
      // A sparse graph: a majority of this node's k neighbours, with the coordinator, could unmask its input.
      return Decision.refuse("policy.secagg_min_neighbours", "the job masks with " + k + " neighbours per party; this node "
          + (rules.secaggMinNeighbours() == 0 ? "masks with everyone only" : "requires at least " + rules.secaggMinNeighbours()));
    }
    boolean exact = JobSpecs.isExact(spec);
    if (exact && !rules.allowExactRelease()) {
      return Decision.refuse("policy.allow_exact_release", "the job asks for an exact (epsilon = Infinity) release");
    }
    double epsilon = spec.getPrivacy().getEpsilon();
    double spent = ledger.spent(dataset.name());
    double needed = exact ? 0 : epsilon + CohortTest.EPSILON;
    if (!exact && spent + needed > dataset.epsilonCap() + 1e-12) {
      return Decision.refuse("policy.epsilon_cap", String.format(java.util.Locale.ROOT,
          "epsilon %.4g requested (%.4g with the cohort test), %.4g of the cap %.4g for dataset %s already spent", epsilon, needed,
          spent, dataset.epsilonCap(), dataset.name()));
    }
    if (!exact) return Decision.accept(); // the cohort minimum is the noisy CohortTest, after acceptance
    long rows;
    try {
      rows = cohort.getAsLong();
    } catch (IllegalArgumentException e) {
      return Decision.refuse("datasets." + dataset.name(), e.getMessage());
    }
    if (rows < rules.minCohortSize()) {
      // Exact releases (validation only, by explicit policy) reveal the data anyway; here the plain rule stays.
      return Decision.refuse("policy.min_cohort_size", "local cohort is below the minimum of " + rules.minCohortSize());
    }
    return Decision.accept();
  }
}
