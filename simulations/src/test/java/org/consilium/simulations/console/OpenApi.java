package org.consilium.simulations.console;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The parts of an OpenAPI 3 document the conformance test needs: operations with their
 * security, role and documented responses, and a real JSON Schema validator (networknt, OpenAPI
 * 3.0 dialect) for a response body against the schema the document gives it.
 */
final class OpenApi {
  record Operation(String method, String path, boolean open, String role, Map<String, Object> responses) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private final Map<String, Object> doc;

  @SuppressWarnings("unchecked")
  OpenApi(String yaml) {
    this.doc = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
  }

  @SuppressWarnings("unchecked")
  List<Operation> operations() {
    List<Operation> ops = new ArrayList<>();
    Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
    paths.forEach((path, item) -> ((Map<String, Object>) item).forEach((method, op) -> {
      Map<String, Object> o = (Map<String, Object>) op;
      boolean open = o.containsKey("security") && ((List<?>) o.get("security")).isEmpty();
      ops.add(new Operation(method.toUpperCase(), path, open, String.valueOf(o.get("x-consilium-role")),
          (Map<String, Object>) o.get("responses")));
    }));
    return ops;
  }

  /**
   * Where the JSON schema documented for this status is, as a JSON pointer into the document,
   * or null if the response has no JSON body. A response given by $ref points into its target.
   */
  @SuppressWarnings("unchecked")
  String jsonSchemaPointer(Operation op, int status) {
    Object r = op.responses().get(Integer.toString(status));
    if (r == null) return null;
    Map<String, Object> response = (Map<String, Object>) r;
    String base = "/paths/" + escape(op.path()) + "/" + op.method().toLowerCase() + "/responses/" + status;
    if (response.containsKey("$ref")) {
      base = ((String) response.get("$ref")).substring(1);
      Object target = doc;
      for (String part : base.substring(1).split("/")) target = ((Map<String, Object>) target).get(part);
      response = (Map<String, Object>) target;
    }
    Map<String, Object> content = (Map<String, Object>) response.get("content");
    if (content == null || !content.containsKey("application/json")) return null;
    return base + "/content/application~1json/schema";
  }

  /**
   * Problems of a JSON text against the schema at pointer, found by networknt's JSON Schema
   * validator in the OpenAPI 3.0 dialect (the document is the coordinator's, from the class
   * path: the test checks that it is the one served); empty when it conforms.
   */
  List<String> validate(String json, String pointer) {
    Schema schema = schemas.getSchema(SchemaLocation.of("classpath:api/openapi.yaml#" + pointer));
    return schema.validate(json, InputFormat.JSON).stream().map(e -> e.toString()).toList();
  }

  private final SchemaRegistry schemas = SchemaRegistry.withDialect(Dialects.getOpenApi30());

  private static String escape(String path) {
    return path.replace("~", "~0").replace("/", "~1");
  }
}
