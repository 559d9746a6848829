package org.consilium.node.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.job.Computation;
import org.consilium.analytics.job.StatisticsComputation;
import org.consilium.analytics.stats.StatisticsQuery;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.codec.JobSpecs;
import org.consilium.node.config.NodeConfig;
import org.consilium.node.ledger.PrivacyLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTest {
  @TempDir
  Path dir;

  private final Dataset data = Dataset.ofColumns("site", Map.of("age", new double[] {30, 40, 50, 60, 70}, "chol",
      new double[] {200, 210, 220, 230, 240}));
  private final NodeConfig.DatasetConfig dataset = new NodeConfig.DatasetConfig("heart",
        new org.consilium.node.data.DataSource.CsvFile(Path.of("x.csv"), org.consilium.analytics.data.CsvFormat.DEFAULT), BadRowPolicy.FAIL, 100, 2.0);

  private static final DataDictionary DICTIONARY = DataDictionary.parse("""
      version: 1
      datasets:
        heart:
          columns:
            age: {type: numeric, lower: 0, upper: 300}
            chol: {type: numeric, lower: 0, upper: 300}
      """, "test dictionary");

  private static JobSpec spec(String epsilon, String column) {
    return JobSpecs.fromJson("{\"specVersion\":1,\"jobId\":\"j\",\"dataset\":\"heart\",\"privacy\":{\"epsilon\":" + epsilon
        + "},\"statistics\":{\"column\":\"" + column + "\",\"lower\":0,\"upper\":300}}");
  }

  private Policy.Decision decide(NodeConfig.PolicyConfig rules, JobSpec spec, int participants, int t, PrivacyLedger ledger) {
    StatisticsQuery q = ((StatisticsComputation) Computation.of(spec, participants, DICTIONARY)).query();
    return new Policy(rules).decide(spec, q.columns(), false, () -> q.local(data).cohortSize(), participants, t, dataset, ledger);
  }

  private static NodeConfig.PolicyConfig rules(List<String> columns, int minCohort, boolean exact) {
    return new NodeConfig.PolicyConfig(List.of("statistics"), columns, minCohort, 3, 10, exact, true, 0);
  }

  @Test
  void eachRefusalNamesTheRuleThatRefused() throws Exception {
    try (PrivacyLedger ledger = PrivacyLedger.open(dir.resolve("l.log"), java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate())) {
      assertTrue(decide(rules(List.of(), 5, false), spec("1", "age"), 4, 3, ledger).accepted());
      assertEquals("policy.allowed_columns", decide(rules(List.of("age"), 5, false), spec("1", "chol"), 4, 3, ledger).rule());
      assertTrue(decide(rules(List.of(), 6, false), spec("1", "age"), 4, 3, ledger).accepted(),
          "a DP job is never refused on its cohort size (that answer was an oracle): the noisy CohortTest decides after acceptance");
      assertEquals("policy.min_cohort_size", decide(rules(List.of(), 6, true), spec("\"Infinity\"", "age"), 4, 3, ledger).rule(),
          "an exact release, allowed by policy for validation, keeps the plain rule");
      assertEquals("policy.allow_exact_release", decide(rules(List.of(), 5, false), spec("\"Infinity\"", "age"), 4, 3, ledger).rule());
      assertTrue(decide(rules(List.of(), 5, true), spec("\"Infinity\"", "age"), 4, 3, ledger).accepted());
      assertEquals("policy.min_parties", decide(rules(List.of(), 5, false), spec("1", "age"), 4, 2, ledger).rule());
      assertEquals("policy.allowed_computations", new Policy(new NodeConfig.PolicyConfig(List.of("train"), List.of(), 5, 3, 10, false, true, 0))
          .decide(spec("1", "age"), List.of("age"), false, () -> 5, 4, 3, dataset, ledger).rule());
      NodeConfig.PolicyConfig pooledOnly = new NodeConfig.PolicyConfig(List.of("statistics"), List.of(), 5, 3, 10, false, false, 0);
      Policy.Decision perSite = new Policy(pooledOnly).decide(spec("1", "age"), List.of("age"), true, () -> 5, 4, 3, dataset, ledger);
      assertEquals("policy.allow_per_site_release", perSite.rule(), "a site that allows pooled releases only refuses per-site ones");
      assertTrue(new Policy(pooledOnly).decide(spec("1", "age"), List.of("age"), false, () -> 5, 4, 3, dataset, ledger).accepted(),
          "and takes part in pooled ones");
    }
  }

  /**
   * SecAgg+ weakens what protects this node's input (a majority of its k neighbours, with the
   * coordinator, instead of the job's threshold), so a node takes part only by its own policy.
   */
  @Test
  void aSparseSecureAggregationGraphNeedsTheNodesConsent() throws Exception {
    try (PrivacyLedger ledger = PrivacyLedger.open(dir.resolve("l.log"), java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate())) {
      JobSpec sparse = spec("1", "age").toBuilder().setSecaggNeighbours(6).build();
      Policy.Decision byDefault = decide(rules(List.of(), 5, false), sparse, 100, 51, ledger);
      assertEquals("policy.secagg_min_neighbours", byDefault.rule(), "a node masks with everyone unless its policy says otherwise");
      assertTrue(byDefault.reason().contains("6 neighbours"), byDefault.reason());
      NodeConfig.PolicyConfig atLeast8 = new NodeConfig.PolicyConfig(List.of("statistics"), List.of(), 5, 3, 10, false, true, 8);
      assertEquals("policy.secagg_min_neighbours", decide(atLeast8, sparse, 100, 51, ledger).rule(), "6 < 8 neighbours");
      assertTrue(decide(atLeast8, sparse.toBuilder().setSecaggNeighbours(10).build(), 100, 51, ledger).accepted(), "10 >= 8 neighbours");
      assertTrue(decide(rules(List.of(), 5, false), sparse, 4, 3, ledger).accepted(),
          "with 4 participants, 6 neighbours is everyone: nothing is weakened");
    }
  }

  @Test
  void theEpsilonCapCountsWhatTheLedgerAlreadyHolds() throws Exception {
    try (PrivacyLedger ledger = PrivacyLedger.open(dir.resolve("l.log"), java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate())) {
      ledger.reserve("heart", "earlier", 1.5);
      Policy.Decision d = decide(rules(List.of(), 5, false), spec("1", "age"), 4, 3, ledger);
      assertEquals("policy.epsilon_cap", d.rule());
      assertTrue(d.reason().contains("1.500 of the cap 2.000"), d.reason());
      assertTrue(decide(rules(List.of(), 5, false), spec("0.45", "age"), 4, 3, ledger).accepted(),
          "exactly up to the cap, with the cohort test's " + CohortTest.EPSILON + ", is allowed");
      assertEquals("policy.epsilon_cap", decide(rules(List.of(), 5, false), spec("0.5", "age"), 4, 3, ledger).rule(),
          "the cohort test's epsilon counts too");
    }
  }
}
