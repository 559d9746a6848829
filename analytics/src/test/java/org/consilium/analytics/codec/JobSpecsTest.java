package org.consilium.analytics.codec;

import org.consilium.analytics.wire.JobSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.consilium.analytics.dictionary.DataDictionary;
import org.consilium.analytics.dictionary.TestDictionaries;
import org.consilium.analytics.stats.InvalidSpecException;
import org.junit.jupiter.api.Test;

class JobSpecsTest {
  private static final DataDictionary DICTIONARY = TestDictionaries.dictionary();

  private static String spec(String privacy) {
    return "{\"specVersion\":1,\"dataset\":\"heart\",\"privacy\":" + privacy
        + ",\"statistics\":{\"column\":\"age\",\"lower\":0,\"upper\":100}}";
  }

  @Test
  void aValidSpecParsesAndInfinityMeansExact() {
    JobSpec s = JobSpecs.fromJson(spec("{\"epsilon\":\"Infinity\"}"));
    org.consilium.analytics.job.Computation.of(s, 2, DICTIONARY);
    assertTrue(JobSpecs.isExact(s));
    assertEquals(1e-6, JobSpecs.delta(s));
  }

  @Test
  void errorsNameTheField() {
    assertEquals("privacy.epsilon", field(spec("{\"epsilon\":0}")));
    assertEquals("privacy.delta", field(spec("{\"epsilon\":1,\"delta\":0.5}")));
    assertEquals("spec_version", assertThrows(InvalidSpecException.class,
        () -> org.consilium.analytics.job.Computation.of(JobSpecs.fromJson(spec("{\"epsilon\":1}")).toBuilder().setSpecVersion(2).build(), 2, DICTIONARY)).field());
    InvalidSpecException unknown = assertThrows(InvalidSpecException.class, () -> JobSpecs.fromJson("{\"specVersion\":1,\"colour\":1}"));
    assertTrue(unknown.getMessage().contains("colour"), unknown.getMessage());
  }

  @Test
  void anEpsilonTheNodesCannotCalibrateIsRefusedAtSubmissionNamingTheField() {
    InvalidSpecException tiny = assertThrows(InvalidSpecException.class,
        () -> org.consilium.analytics.job.Computation.of(JobSpecs.fromJson(spec("{\"epsilon\":1e-20}")), 2, DICTIONARY));
    assertEquals("privacy.epsilon", tiny.field());
    assertTrue(tiny.getMessage().contains("smallest epsilon") || tiny.getMessage().contains("more noise"), tiny.getMessage());
    // What passes here is what every node can draw: the same calibration runs at the node.
    org.consilium.analytics.job.Computation.of(JobSpecs.fromJson(spec("{\"epsilon\":0.01}")), 2, DICTIONARY);
  }

  @Test
  void theDictionaryIsEnforcedAtSubmission() {
    assertEquals("dataset", field(spec("{\"epsilon\":1}").replace("\"heart\"", "\"other\"")));
    assertEquals("statistics.column", field(spec("{\"epsilon\":1}").replace("\"age\"", "\"ssn\"")));
    assertEquals("statistics.lower/upper", field(spec("{\"epsilon\":1}").replace("\"upper\":100", "\"upper\":150")));
    String cohort = spec("{\"epsilon\":1}").replace("\"statistics\"", "\"cohort\":[{\"column\":\"zip\",\"op\":\"EQ\",\"value\":1}],\"statistics\"");
    assertEquals("cohort.column", field(cohort));
  }

  @Test
  void secaggNeighboursMustBeAnEvenDegreeOfMaskingAggregation() {
    assertEquals("secagg_neighbours", field(spec("{\"epsilon\":1}").replace("\"statistics\"", "\"secaggNeighbours\":3,\"statistics\"")),
        "an odd degree has no Harary ring");
    assertEquals("secagg_neighbours", field(spec("{\"epsilon\":1}").replace("\"statistics\"",
        "\"secaggNeighbours\":6,\"aggregation\":\"AGGREGATION_THRESHOLD_PAILLIER\",\"statistics\"")), "Paillier has no masks");
    org.consilium.analytics.job.Computation.of(JobSpecs.fromJson(spec("{\"epsilon\":1}").replace("\"statistics\"",
        "\"secaggNeighbours\":6,\"statistics\"")), 2, DICTIONARY);
  }

  @Test
  void thresholdDefaultsToAStrictMajorityAndIsChecked() {
    JobSpec s = JobSpecs.fromJson(spec("{\"epsilon\":1}"));
    assertEquals(3, JobSpecs.threshold(s, 4));
    assertEquals(3, JobSpecs.threshold(s, 5));
    assertEquals("threshold", assertThrows(InvalidSpecException.class,
        () -> JobSpecs.threshold(s.toBuilder().setThreshold(5).build(), 4)).field());
  }

  private static String field(String json) {
    return assertThrows(InvalidSpecException.class, () -> org.consilium.analytics.job.Computation.of(JobSpecs.fromJson(json), 2, DICTIONARY)).field();
  }
}
