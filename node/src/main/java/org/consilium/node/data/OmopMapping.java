package org.consilium.node.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A dataset defined over an OMOP CDM v5.4 database: one row per person, each column taken from
 * the person table, the newest measurement or observation of a concept, or whether a condition
 * occurrence of a concept exists. The mapping is a small YAML file the site writes:
 *
 * <pre>
 * schema: cdm                     # where the CDM tables are (default public)
 * age_at_year: 2026               # age = this year - person.year_of_birth
 * columns:
 *   age:  {table: person, field: age}
 *   sex:  {table: person, field: gender_concept_id, codes: {8532: 0, 8507: 1}}
 *   chol: {table: measurement, concept_id: 3027114}
 *   cp:   {table: observation, concept_id: 4150129, value: concept, codes: {4215009: 1, 4223138: 4}}
 *   num:  {table: condition_occurrence, concept_id: 4185932}
 * </pre>
 *
 * It compiles to one SELECT (identifiers checked, every literal an integer), read like any
 * other query: in a read-only transaction.
 */
public final class OmopMapping {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final List<String> PERSON_FIELDS = List.of("age", "gender_concept_id", "race_concept_id", "ethnicity_concept_id",
      "year_of_birth");

  private OmopMapping() {}

  /** The SELECT a mapping file stands for; throws IllegalArgumentException naming the file and what is wrong. */
  public static String query(Path file) {
    Map<String, Object> root;
    try {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
      if (!(doc instanceof Map<?, ?> m)) throw new IllegalArgumentException("is not a YAML mapping");
      root = cast(m);
    } catch (IOException e) {
      throw new IllegalArgumentException("OMOP mapping " + file + " cannot be read: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("OMOP mapping " + file + ": " + e.getMessage());
    }
    try {
      return compile(root);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("OMOP mapping " + file + ": " + e.getMessage());
    }
  }

  static String compile(Map<String, Object> root) {
    String schema = name(root.getOrDefault("schema", "public"), "schema");
    Object columnsNode = root.get("columns");
    if (!(columnsNode instanceof Map<?, ?> columns) || columns.isEmpty()) throw new IllegalArgumentException("no columns are mapped");
    StringBuilder select = new StringBuilder("SELECT ");
    boolean first = true;
    for (var e : cast(columns).entrySet()) {
      String column = name(e.getKey(), "column name");
      if (!(e.getValue() instanceof Map<?, ?> spec)) throw new IllegalArgumentException("column '" + column + "' needs {table: ...}");
      select.append(first ? "" : ", ").append(expression(schema, column, cast(spec), root)).append(" AS \"").append(column).append('"');
      first = false;
    }
    return select.append(" FROM ").append(schema).append(".person p ORDER BY p.person_id").toString();
  }

  private static String expression(String schema, String column, Map<String, Object> spec, Map<String, Object> root) {
    String table = String.valueOf(spec.get("table"));
    String where = "column '" + column + "'";
    switch (table) {
      case "person": {
        String field = String.valueOf(spec.get("field"));
        if (!PERSON_FIELDS.contains(field)) throw new IllegalArgumentException(where + ": person field must be one of " + PERSON_FIELDS);
        if (field.equals("age")) {
          return "(" + integer(root.get("age_at_year"), "age_at_year (needed for an age column)") + " - p.year_of_birth)";
        }
        return codes("p." + field, spec, where);
      }
      case "measurement":
      case "observation": {
        long concept = integer(spec.get("concept_id"), where + ": concept_id");
        boolean asConcept = "concept".equals(spec.get("value"));
        String value = asConcept ? "value_as_concept_id" : "value_as_number";
        String newest = "(SELECT t." + value + " FROM " + schema + "." + table + " t WHERE t.person_id = p.person_id AND t." + table
            + "_concept_id = " + concept + " ORDER BY t." + table + "_date DESC, t." + table + "_id DESC LIMIT 1)";
        return asConcept ? codes(newest, spec, where) : newest;
      }
      case "condition_occurrence": {
        long concept = integer(spec.get("concept_id"), where + ": concept_id");
        return "(CASE WHEN EXISTS (SELECT 1 FROM " + schema + ".condition_occurrence c WHERE c.person_id = p.person_id"
            + " AND c.condition_concept_id = " + concept + ") THEN 1 ELSE 0 END)";
      }
      default:
        throw new IllegalArgumentException(where + ": table must be person, measurement, observation or condition_occurrence, got '"
            + table + "'");
    }
  }

  /** A concept id mapped to the dictionary's codes: CASE over the declared pairs, anything else missing. */
  private static String codes(String expression, Map<String, Object> spec, String where) {
    Object codes = spec.get("codes");
    if (codes == null) return expression;
    if (!(codes instanceof Map<?, ?> m) || m.isEmpty()) throw new IllegalArgumentException(where + ": codes must map concept ids to codes");
    StringBuilder sql = new StringBuilder("(CASE ").append(expression);
    for (var e : m.entrySet()) {
      sql.append(" WHEN ").append(integer(e.getKey(), where + ": a concept id")).append(" THEN ").append(integer(e.getValue(), where + ": a code"));
    }
    return sql.append(" END)").toString();
  }

  private static long integer(Object v, String what) {
    if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
    if (v instanceof String s && s.matches("-?\\d{1,18}")) return Long.parseLong(s);
    throw new IllegalArgumentException(what + " must be an integer, got '" + v + "'");
  }

  private static String name(Object v, String what) {
    String s = String.valueOf(v);
    if (!NAME.matcher(s).matches()) throw new IllegalArgumentException(what + " must be letters, digits and _, got '" + s + "'");
    return s;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }
}
