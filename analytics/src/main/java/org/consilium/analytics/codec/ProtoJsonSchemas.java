package org.consilium.analytics.codec;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAPI 3.0 schemas of protobuf messages in their JSON form (protobuf's proto3 JSON mapping,
 * which the REST API prints and parses with JsonFormat): lowerCamelCase field names, 64-bit
 * integers as decimal strings, doubles as numbers or "NaN"/"Infinity"/"-Infinity", enums by
 * name, bytes as base64, maps as objects. Generated from the descriptors, so the API document
 * cannot drift from job.proto: a test keeps the document's generated block equal to this.
 */
public final class ProtoJsonSchemas {
  private ProtoJsonSchemas() {}

  /** The schema name of a message: its full protobuf name, e.g. consilium.v1.JobSpec. */
  public static String name(Descriptor message) {
    return message.getFullName();
  }

  /** Every message reachable from the roots, by name (sorted), each an OpenAPI schema object. */
  public static Map<String, Map<String, Object>> of(List<Descriptor> roots) {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    Deque<Descriptor> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      Descriptor d = todo.pop();
      if (out.containsKey(name(d))) continue;
      Map<String, Object> properties = new LinkedHashMap<>();
      for (FieldDescriptor f : d.getFields()) {
        properties.put(f.getJsonName(), field(f, todo));
      }
      Map<String, Object> schema = new LinkedHashMap<>();
      schema.put("type", "object");
      StringBuilder description = new StringBuilder(name(d) + " (" + d.getFile().getName() + ") in protobuf's JSON form");
      for (OneofDescriptor o : d.getRealOneofs()) {
        description.append("; at most one of ").append(String.join(", ", o.getFields().stream().map(FieldDescriptor::getJsonName).toList()));
      }
      schema.put("description", description.toString());
      schema.put("additionalProperties", false);
      schema.put("properties", properties);
      out.put(name(d), schema);
    }
    return out;
  }

  private static Map<String, Object> field(FieldDescriptor f, Deque<Descriptor> todo) {
    if (f.isMapField()) {
      FieldDescriptor value = f.getMessageType().findFieldByName("value");
      return Map.of("type", "object", "additionalProperties", scalar(value, todo));
    }
    Map<String, Object> one = scalar(f, todo);
    return f.isRepeated() ? Map.of("type", "array", "items", one) : one;
  }

  private static Map<String, Object> scalar(FieldDescriptor f, Deque<Descriptor> todo) {
    switch (f.getJavaType()) {
      case INT:
        return Map.of("type", "integer", "format", "int32");
      case LONG:
        return Map.of("type", "string", "format", "int64", "pattern", "^-?[0-9]+$");
      case FLOAT:
      case DOUBLE:
        return Map.of("oneOf", List.of(Map.of("type", "number"), Map.of("type", "string", "enum", List.of("NaN", "Infinity", "-Infinity"))));
      case BOOLEAN:
        return Map.of("type", "boolean");
      case STRING:
        return Map.of("type", "string");
      case BYTE_STRING:
        return Map.of("type", "string", "format", "byte");
      case ENUM:
        return Map.of("type", "string", "enum", f.getEnumType().getValues().stream().map(EnumValueDescriptor::getName).toList());
      case MESSAGE:
        todo.add(f.getMessageType());
        return Map.of("$ref", "#/components/schemas/" + name(f.getMessageType()));
      default:
        throw new IllegalArgumentException("no JSON schema for field " + f.getFullName());
    }
  }

  /**
   * The schemas as YAML lines for components.schemas (indented by indent spaces), each
   * property's schema in JSON flow style: stable text for a generated block of a document.
   */
  public static String yaml(Map<String, Map<String, Object>> schemas, int indent) {
    String pad = " ".repeat(indent);
    StringBuilder y = new StringBuilder();
    schemas.forEach((name, schema) -> {
      y.append(pad).append(name).append(":\n");
      schema.forEach((k, v) -> {
        if (k.equals("properties")) {
          y.append(pad).append("  properties:\n");
          @SuppressWarnings("unchecked")
          Map<String, Object> props = (Map<String, Object>) v;
          props.forEach((p, s) -> y.append(pad).append("    ").append(p).append(": ").append(json(s)).append('\n'));
        } else {
          y.append(pad).append("  ").append(k).append(": ").append(json(v)).append('\n');
        }
      });
    });
    return y.toString();
  }

  private static String json(Object v) {
    if (v instanceof String s) return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    if (v instanceof Boolean || v instanceof Number) return v.toString();
    if (v instanceof List<?> l) return "[" + String.join(", ", l.stream().map(ProtoJsonSchemas::json).toList()) + "]";
    if (v instanceof Map<?, ?> m) {
      // Keys in a fixed order (type first) so the text is stable whatever the map's order.
      Map<String, Object> sorted = new TreeMap<>((a, b) -> a.equals("type") ? -1 : b.equals("type") ? 1 : a.compareTo(b));
      m.forEach((k, x) -> sorted.put((String) k, x));
      StringBuilder s = new StringBuilder("{");
      sorted.forEach((k, x) -> s.append(s.length() > 1 ? ", " : "").append(json(k)).append(": ").append(json(x)));
      return s.append('}').toString();
    }
    throw new IllegalArgumentException("cannot write " + v);
  }
}
