package org.consilium.analytics.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.consilium.analytics.stats.InvalidSpecException;
import org.junit.jupiter.api.Test;

class JobSpecsTest {
  private static String spec(String privacy) {
    return "{\"specVersion\":1,\"dataset\":\"d\",\"privacy\":" + privacy
        + ",\"statistics\":{\"column\":\"age\",\"lower\":0,\"upper\":100}}";
  }

  @Test
  void aValidSpecParsesAndInfinityMeansExact() {
    JobSpec s = JobSpecs.fromJson(spec("{\"epsilon\":\"Infinity\"}"));
    JobSpecs.validate(s);
    assertTrue(JobSpecs.isExact(s));
    assertEquals(1e-6, JobSpecs.delta(s));
  }

  @Test
  void errorsNameTheField() {
    assertEquals("privacy.epsilon", field(spec("{\"epsilon\":0}")));
    assertEquals("privacy.delta", field(spec("{\"epsilon\":1,\"delta\":0.5}")));
    assertEquals("spec_version", assertThrows(InvalidSpecException.class,
        () -> JobSpecs.validate(JobSpecs.fromJson(spec("{\"epsilon\":1}")).toBuilder().setSpecVersion(2).build())).field());
    InvalidSpecException unknown = assertThrows(InvalidSpecException.class, () -> JobSpecs.fromJson("{\"specVersion\":1,\"colour\":1}"));
    assertTrue(unknown.getMessage().contains("colour"), unknown.getMessage());
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
    return assertThrows(InvalidSpecException.class, () -> JobSpecs.validate(JobSpecs.fromJson(json))).field();
  }
}
