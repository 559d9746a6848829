package org.consilium.simulations.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validator ConsoleApiTest checks live responses with finds what a wrong body gets wrong. */
class OpenApiValidatorTest {
  private static OpenApi document() throws Exception {
    try (var in = OpenApiValidatorTest.class.getClassLoader().getResourceAsStream("api/openapi.yaml")) {
      return new OpenApi(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static OpenApi.Operation op(OpenApi api, String method, String path) {
    return api.operations().stream().filter(o -> o.method().equals(method) && o.path().equals(path)).findFirst().orElseThrow();
  }

  @Test
  void aBodyThatBreaksItsSchemaIsReportedAndAConformingOneIsNot() throws Exception {
    OpenApi api = document();
    String ready = api.jsonSchemaPointer(op(api, "GET", "/health/ready"), 200);
    assertEquals(List.of(), api.validate("{\"status\": \"ready\", \"checks\": {\"job_store\": \"ok\", \"nodes_connected\": 4}}", ready));
    List<String> wrong = api.validate("{\"status\": \"sleepy\"}", ready);
    assertTrue(wrong.stream().anyMatch(p -> p.contains("checks")), "a missing required property is named: " + wrong);
    assertTrue(wrong.stream().anyMatch(p -> p.contains("sleepy") || p.contains("enum")), "a value outside the enum is named: " + wrong);

    String error = api.jsonSchemaPointer(op(api, "GET", "/api/v1/jobs/{id}"), 404);
    assertTrue(error.startsWith("/components/responses/Error/"), "a response given by $ref is followed: " + error);
    assertEquals(List.of(), api.validate("{\"error\": \"no job 'x'\"}", error));

    String job = api.jsonSchemaPointer(op(api, "GET", "/api/v1/jobs/{id}"), 200);
    List<String> extra = api.validate("{\"id\": \"j\", \"computation\": \"statistics\", \"status\": \"RELEASED\", \"submittedAt\": \"2026-01-01T00:00:00Z\","
        + " \"submittedBy\": \"a\", \"participants\": [], \"threshold\": 2, \"rounds\": [], \"refusals\": [],"
        + " \"spec\": {\"specVersion\": 1, \"dataset\": \"d\", \"privacy\": {\"epsilon\": \"Infinity\"}, \"nosuchField\": 1}}", job);
    assertTrue(extra.stream().anyMatch(p -> p.contains("nosuchField")), "a field job.proto does not have is refused: " + extra);
  }
}
