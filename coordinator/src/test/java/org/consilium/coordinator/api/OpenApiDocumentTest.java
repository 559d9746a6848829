package org.consilium.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.codec.ProtoJsonSchemas;
import org.consilium.analytics.wire.JobResult;
import org.consilium.analytics.wire.JobSpec;
import org.consilium.analytics.wire.ModelCard;
import org.consilium.analytics.wire.TrainedModel;
import org.consilium.analytics.wire.TrainingRound;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document is valid (swagger-parser reads it without a message), describes every
 * body with a real schema (no bare "type: object"), and its protobuf schemas are exactly those
 * generated from job.proto. Live responses are validated against it in the simulations
 * module (ConsoleApiTest), with a JSON Schema validator in the OpenAPI 3.0 dialect.
 */
class OpenApiDocumentTest {
  private static final String BEGIN = "    # --- generated: ";
  private static final String END = "    # --- end of generated block\n";
  private static final List<Descriptor> ROOTS = List.of(JobSpec.getDescriptor(), JobResult.getDescriptor(),
      TrainedModel.getDescriptor(), ModelCard.getDescriptor(), TrainingRound.getDescriptor(),
      org.consilium.analytics.wire.DriftReport.getDescriptor());

  private static String document() throws Exception {
    try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream("api/openapi.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void swaggerParserReadsTheDocumentWithoutAMessage() throws Exception {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(document(), null, options);
    assertEquals(List.of(), result.getMessages(), "swagger-parser's messages about api/openapi.yaml");
    assertTrue(result.getOpenAPI().getComponents().getSchemas().containsKey("consilium.v1.JobSpec"));
  }

  @Test
  void theProtobufSchemasAreTheOnesGeneratedFromJobProto() throws Exception {
    String doc = document();
    int begin = doc.indexOf(BEGIN);
    int afterHeader = doc.indexOf("\n", doc.indexOf("\n", begin) + 1) + 1;
    int end = doc.indexOf(END);
    assertTrue(begin > 0 && end > afterHeader - 1, "api/openapi.yaml must keep its generated block markers");
    String generated = ProtoJsonSchemas.yaml(ProtoJsonSchemas.of(ROOTS), 4);
    if (Boolean.getBoolean("consilium.openapi.update") && !generated.equals(doc.substring(afterHeader, end))) {
      Path source = Path.of("src/main/resources/api/openapi.yaml");
      String text = Files.readString(source);
      int b = text.indexOf("\n", text.indexOf("\n", text.indexOf(BEGIN)) + 1) + 1;
      Files.writeString(source, text.substring(0, b) + generated + text.substring(text.indexOf(END)));
      return;
    }
    assertEquals(generated, doc.substring(afterHeader, end),
        "the generated block of api/openapi.yaml differs from job.proto: rerun this test with -Dconsilium.openapi.update=true");
  }

  @Test
  void everyObjectSchemaSaysWhatItHolds() throws Exception {
    OpenAPI api = new OpenAPIV3Parser().readContents(document(), null, new ParseOptions()).getOpenAPI();
    List<String> bare = new ArrayList<>();
    api.getComponents().getSchemas().forEach((name, schema) -> walk(schema, name, bare));
    api.getPaths().forEach((path, item) -> item.readOperations().forEach(op -> {
      if (op.getRequestBody() != null && op.getRequestBody().getContent() != null) {
        op.getRequestBody().getContent().forEach((type, media) -> walk(media.getSchema(), path + " request", bare));
      }
      op.getResponses().forEach((status, response) -> {
        if (response.getContent() != null) response.getContent().forEach((type, media) -> walk(media.getSchema(), path + " " + status, bare));
      });
    }));
    assertEquals(List.of(), bare, "schemas of type object without properties, additionalProperties or composition");
  }

  @SuppressWarnings("rawtypes")
  private static void walk(Schema s, String at, List<String> bare) {
    if (s == null || s.get$ref() != null) return;
    boolean composed = s.getAllOf() != null || s.getOneOf() != null || s.getAnyOf() != null;
    if ("object".equals(s.getType()) && s.getProperties() == null && s.getAdditionalProperties() == null && !composed
        && s.getRequired() == null) {
      bare.add(at);
    }
    if (s.getProperties() != null) ((Map<?, ?>) s.getProperties()).forEach((k, v) -> walk((Schema) v, at + "." + k, bare));
    if (s.getItems() != null) walk(s.getItems(), at + "[]", bare);
    if (s.getAdditionalProperties() instanceof Schema a) walk(a, at + "{}", bare);
    for (List<Schema> parts : new List[] {s.getAllOf(), s.getOneOf(), s.getAnyOf()}) {
      if (parts != null) parts.forEach(p -> walk(p, at, bare));
    }
  }
}
