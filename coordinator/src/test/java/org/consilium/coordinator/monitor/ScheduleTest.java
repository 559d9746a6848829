package org.consilium.coordinator.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A drift monitor's schedule as a client sends it: each wrong field is refused by name. */
class ScheduleTest {
  private static DriftMonitors.Schedule parse(String json) {
    return DriftMonitors.Schedule.parse(new JsonObject(json));
  }

  private static void refused(String json, String field) {
    var e = assertThrows(IllegalArgumentException.class, () -> parse(json));
    assertTrue(e.getMessage().startsWith(field + ":"), "expected a refusal naming " + field + ", got: " + e.getMessage());
  }

  @Test
  void aValidScheduleWithItsDefaults() {
    var s = parse("{\"everySeconds\": 3600, \"runs\": 10, \"epsilon\": 2}");
    assertEquals(new DriftMonitors.Schedule(3600, 10, 2, 0.25, List.of()), s, "PSI threshold 0.25 and every feature by default");
    assertEquals(List.of("age"), parse("{\"everySeconds\": 1, \"runs\": 1, \"epsilon\": 1, \"features\": [\"age\"]}").features());
  }

  @Test
  void eachWrongFieldIsNamed() {
    refused("{\"runs\": 10, \"epsilon\": 2}", "everySeconds");
    refused("{\"everySeconds\": 0, \"runs\": 10, \"epsilon\": 2}", "everySeconds");
    refused("{\"everySeconds\": 1, \"runs\": 0, \"epsilon\": 2}", "runs");
    refused("{\"everySeconds\": 1, \"runs\": 1001, \"epsilon\": 2}", "runs");
    refused("{\"everySeconds\": 1, \"runs\": 1, \"epsilon\": 0}", "epsilon");
    refused("{\"everySeconds\": 1, \"runs\": 1, \"epsilon\": \"Infinity\"}", "epsilon");
    refused("{\"everySeconds\": 1, \"runs\": 1, \"epsilon\": 1, \"psiThreshold\": -1}", "psiThreshold");
    refused("{\"everySeconds\": 1, \"runs\": 1, \"epsilon\": 1, \"features\": \"age\"}", "features");
    refused("{\"everySeconds\": 1, \"runs\": 1, \"epsilon\": 1, \"features\": [\"age\", \"age\"]}", "features");
    assertThrows(IllegalArgumentException.class, () -> DriftMonitors.Schedule.parse(null));
  }
}
