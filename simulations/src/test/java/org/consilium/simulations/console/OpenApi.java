package org.consilium.simulations.console;

import io.vertx.core.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The parts of an OpenAPI 3 document the conformance test needs: operations with their
 * security, role and documented responses, and a structural check of a JSON body against a
 * schema (type, required, enum, properties, items, $ref). Small on purpose: it checks what the
 * document promises, nothing it does not state.
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

  /** The JSON schema documented for this status, or null if the response has no JSON body. */
  @SuppressWarnings("unchecked")
  Map<String, Object> jsonSchema(Operation op, int status) {
    Object r = op.responses().get(Integer.toString(status));
    if (r == null) return null;
    Map<String, Object> response = resolve((Map<String, Object>) r);
    Map<String, Object> content = (Map<String, Object>) response.get("content");
    if (content == null || !content.containsKey("application/json")) return null;
    return (Map<String, Object>) ((Map<String, Object>) content.get("application/json")).get("schema");
  }

  /** Problems of a JSON text against a schema; empty when it conforms. */
  List<String> validate(String json, Map<String, Object> schema) {
    List<String> problems = new ArrayList<>();
    check(Json.decodeValue(json), schema, "$", problems);
    return problems;
  }

  @SuppressWarnings("unchecked")
  private void check(Object value, Map<String, Object> schema, String at, List<String> problems) {
    schema = resolve(schema);
    Object type = schema.get("type");
    if (value == null) {
      problems.add(at + ": null");
      return;
    }
    if (value instanceof io.vertx.core.json.JsonObject o) value = o.getMap();
    if (value instanceof io.vertx.core.json.JsonArray a) value = a.getList();
    if ("object".equals(type) && !(value instanceof Map)) problems.add(at + ": expected an object, got " + value);
    if ("array".equals(type) && !(value instanceof List)) problems.add(at + ": expected an array, got " + value);
    if ("string".equals(type) && !(value instanceof String)) problems.add(at + ": expected a string, got " + value);
    if ("integer".equals(type) && !(value instanceof Integer || value instanceof Long)) problems.add(at + ": expected an integer, got " + value);
    if ("number".equals(type) && !(value instanceof Number)) problems.add(at + ": expected a number, got " + value);
    if ("boolean".equals(type) && !(value instanceof Boolean)) problems.add(at + ": expected a boolean, got " + value);
    if (schema.containsKey("enum") && !((List<Object>) schema.get("enum")).contains(value)) {
      problems.add(at + ": " + value + " is not one of " + schema.get("enum"));
    }
    if (value instanceof Map<?, ?> m) {
      for (Object req : (List<Object>) schema.getOrDefault("required", List.of())) {
        if (!m.containsKey(req)) problems.add(at + ": required property '" + req + "' is missing");
      }
      Map<String, Object> props = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
      props.forEach((name, sub) -> {
        if (m.containsKey(name)) check(m.get(name), (Map<String, Object>) sub, at + "." + name, problems);
      });
    }
    if (value instanceof List<?> l && schema.containsKey("items")) {
      for (int i = 0; i < l.size(); i++) check(l.get(i), (Map<String, Object>) schema.get("items"), at + "[" + i + "]", problems);
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> resolve(Map<String, Object> node) {
    Map<String, Object> n = node;
    while (n.containsKey("$ref")) {
      Object target = doc;
      for (String part : ((String) n.get("$ref")).substring(2).split("/")) target = ((Map<String, Object>) target).get(part);
      n = new LinkedHashMap<>((Map<String, Object>) target);
    }
    return n;
  }
}
