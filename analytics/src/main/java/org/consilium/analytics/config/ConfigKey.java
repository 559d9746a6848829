package org.consilium.analytics.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One setting of a program's configuration file: its dotted name ("prefix.*" for a free
 * subtree), its default as the README shows it, and what it means. A program's list of these is
 * its schema: the keys {@link Settings} accepts, the comments provisioning writes into the kits,
 * and the README table a test holds to it all come from there.
 */
public record ConfigKey(String name, String defaultValue, String doc) {
  /**
   * The keys {@link Settings#load} accepts for a schema: its names, where a segment in capitals
   * (a placeholder such as NAME in "datasets.NAME.path") opens a free subtree ("datasets.*").
   */
  public static Set<String> names(List<ConfigKey> schema) {
    Set<String> out = new LinkedHashSet<>();
    for (ConfigKey k : schema) {
      String[] parts = k.name().split("\\.");
      StringBuilder accepted = new StringBuilder();
      for (String part : parts) {
        if (!accepted.isEmpty()) accepted.append('.');
        if (part.matches("[A-Z]+")) {
          accepted.append('*');
          break;
        }
        accepted.append(part);
      }
      out.add(accepted.toString());
    }
    return Set.copyOf(out);
  }

  /** The README's table rows for a schema: "| `name` | default | doc |". */
  public static List<String> tableRows(List<ConfigKey> schema) {
    return schema.stream().map(k -> "| `" + k.name() + "` | " + k.defaultValue() + " | " + k.doc() + " |").toList();
  }

  /**
   * What differs between a README and a schema: the rows of the README's "## Configuration"
   * section against {@link #tableRows}, first difference first; empty when they agree.
   */
  public static List<String> readmeMismatches(List<ConfigKey> schema, List<String> readme) {
    int from = -1;
    for (int i = 0; i < readme.size() && from < 0; i++) if (readme.get(i).startsWith("## Configuration")) from = i;
    List<String> table = new java.util.ArrayList<>();
    for (int i = from + 1; from >= 0 && i < readme.size() && !readme.get(i).startsWith("## "); i++) {
      if (readme.get(i).startsWith("| `")) table.add(readme.get(i));
    }
    List<String> rows = tableRows(schema);
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < Math.max(rows.size(), table.size()); i++) {
      String want = i < rows.size() ? rows.get(i) : "(no row)";
      String have = i < table.size() ? table.get(i) : "(no row)";
      if (!want.equals(have)) out.add("row " + (i + 1) + ": the schema says " + want + ", the README " + have);
    }
    return out;
  }

  /** A schema's key by name, e.g. to comment a provisioned setting. */
  public static ConfigKey of(List<ConfigKey> schema, String name) {
    return schema.stream().filter(k -> k.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no setting '" + name + "' in the schema"));
  }
}
