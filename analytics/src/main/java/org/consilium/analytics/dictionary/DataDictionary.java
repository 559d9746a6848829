package org.consilium.analytics.dictionary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.identity.Digests;
import org.consilium.analytics.stats.InvalidSpecException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The consortium's data dictionary: one {@link DatasetDictionary} per dataset, versioned and
 * distributed with the consortium (provisioning writes the same file into every kit). Nodes
 * check their data against it at start; the coordinator checks jobs against it and serves it
 * as the dataset catalog; DP sensitivities come from its public bounds. Its digest travels
 * with every job so that coordinator and nodes are known to use the same version.
 *
 * <pre>
 * version: 3
 * datasets:
 *   heart-disease:
 *     description: ...
 *     columns:
 *       age: {type: numeric, unit: years, lower: 20, upper: 90, description: ...}
 *       sex: {type: categorical, codes: {0: female, 1: male}, description: ...}
 * </pre>
 */
public final class DataDictionary {
  private final int version;
  private final Map<String, DatasetDictionary> datasets;
  private final String text;

  private DataDictionary(int version, Map<String, DatasetDictionary> datasets, String text) {
    this.version = version;
    this.datasets = Collections.unmodifiableMap(new LinkedHashMap<>(datasets));
    this.text = text;
  }

  public static DataDictionary load(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new DictionaryException(file + ": cannot read the data dictionary: " + e.getMessage());
    }
  }

  /** Parses the YAML text; every error names the file, dataset and column. */
  public static DataDictionary parse(String text, String source) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (RuntimeException e) {
      throw new DictionaryException(source + ": not valid YAML: " + e.getMessage());
    }
    Map<?, ?> top = map(root, source);
    Object v = top.get("version");
    if (!(v instanceof Integer version) || version < 1) throw new DictionaryException(source + ": 'version' must be a positive integer");
    Map<String, DatasetDictionary> sets = new LinkedHashMap<>();
    for (Map.Entry<?, ?> d : map(top.get("datasets"), source + ": datasets").entrySet()) {
      String name = String.valueOf(d.getKey());
      String where = source + ": dataset '" + name + "'";
      Map<?, ?> body = map(d.getValue(), where);
      Map<String, ColumnDefinition> columns = new LinkedHashMap<>();
      for (Map.Entry<?, ?> c : map(body.get("columns"), where + " columns").entrySet()) {
        String column = String.valueOf(c.getKey());
        try {
          columns.put(column, column(column, map(c.getValue(), where + " column '" + column + "'")));
        } catch (DictionaryException e) {
          throw new DictionaryException(where + ": " + e.getMessage());
        }
      }
      try {
        sets.put(name, new DatasetDictionary(name, string(body.get("description")), columns));
      } catch (DictionaryException e) {
        throw new DictionaryException(source + ": " + e.getMessage());
      }
    }
    if (sets.isEmpty()) throw new DictionaryException(source + ": declares no datasets");
    return new DataDictionary(version, sets, text);
  }

  private static ColumnDefinition column(String name, Map<?, ?> body) {
    String type = string(body.get("type"));
    for (Object key : body.keySet()) {
      if (!List.of("type", "unit", "lower", "upper", "codes", "description").contains(String.valueOf(key))) {
        throw new DictionaryException("column '" + name + "': unknown key '" + key + "'");
      }
    }
    return switch (type) {
      case "numeric" -> new ColumnDefinition(name, ColumnDefinition.Kind.NUMERIC, string(body.get("unit")),
          number(body.get("lower"), name, "lower"), number(body.get("upper"), name, "upper"), Map.of(), string(body.get("description")));
      case "categorical" -> {
        Map<Double, String> codes = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map(body.get("codes"), "column '" + name + "' codes").entrySet()) {
          codes.put(number(e.getKey(), name, "code"), String.valueOf(e.getValue()));
        }
        yield new ColumnDefinition(name, ColumnDefinition.Kind.CATEGORICAL, string(body.get("unit")), 0, 1, codes,
            string(body.get("description")));
      }
      default -> throw new DictionaryException("column '" + name + "': type must be numeric or categorical, got '" + type + "'");
    };
  }

  private static Map<?, ?> map(Object o, String where) {
    if (!(o instanceof Map<?, ?> m)) throw new DictionaryException(where + ": expected a mapping");
    return m;
  }

  private static String string(Object o) {
    return o == null ? "" : String.valueOf(o);
  }

  private static double number(Object o, String column, String key) {
    if (o instanceof Number n) return n.doubleValue();
    try {
      return Double.parseDouble(String.valueOf(o));
    } catch (NumberFormatException | NullPointerException e) {
      throw new DictionaryException("column '" + column + "': '" + key + "' must be a number, got " + o);
    }
  }

  public int version() {
    return version;
  }

  public Map<String, DatasetDictionary> datasets() {
    return datasets;
  }

  /** The dataset's dictionary; an unknown dataset is an error naming the spec field. */
  public DatasetDictionary dataset(String name) {
    DatasetDictionary d = datasets.get(name);
    if (d == null) throw new InvalidSpecException("dataset", "'" + name + "' is not a dataset of the data dictionary " + datasets.keySet());
    return d;
  }

  /**
   * A site's dataset as the node may use it: checked against the dictionary (every declared
   * column present, every categorical value a declared code) and cut down to the declared
   * columns, so a job can never name a column outside the dictionary. Throws naming the
   * dataset, column and row of the first problems.
   */
  public Dataset conform(String name, Dataset data) {
    DatasetDictionary d = datasets.get(name);
    if (d == null) throw new DictionaryException("dataset '" + name + "' is not in the data dictionary " + datasets.keySet());
    List<String> problems = d.violations(data);
    if (!problems.isEmpty()) {
      throw new DictionaryException("dataset '" + name + "' does not match the data dictionary: " + String.join("; ", problems));
    }
    return d.restrict(data);
  }

  /** The file's text, as distributed. */
  public String text() {
    return text;
  }

  /** SHA-256 of the text: the version coordinator and nodes must share. */
  public String digest() {
    return Digests.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Column names of a dataset, for messages. */
  public List<String> columnNames(String dataset) {
    return new ArrayList<>(dataset(dataset).columns().keySet());
  }
}
