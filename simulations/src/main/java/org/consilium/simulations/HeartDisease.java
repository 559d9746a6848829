package org.consilium.simulations;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The four-hospital UCI Heart Disease data shipped with the project (CC BY 4.0; see the README
 * beside the files for the attribution), one file per hospital: the natural federated split.
 */
public final class HeartDisease {
  public static final String DATASET = "heart-disease";
  /** Node id to file name, in the order the consortium lists them. */
  public static final Map<String, String> HOSPITALS = orderedHospitals();

  private HeartDisease() {}

  private static Map<String, String> orderedHospitals() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cleveland", "cleveland.csv");
    m.put("hungarian", "hungarian.csv");
    m.put("switzerland", "switzerland.csv");
    m.put("va-long-beach", "va-long-beach.csv");
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Copies the bundled files (and their README) into a folder; returns node id to CSV path. */
  public static Map<String, Path> extractTo(Path dir) {
    try {
      Files.createDirectories(dir);
      Map<String, Path> out = new LinkedHashMap<>();
      copy("README.md", dir);
      for (Map.Entry<String, String> h : HOSPITALS.entrySet()) out.put(h.getKey(), copy(h.getValue(), dir));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the Heart Disease data to " + dir, e);
    }
  }

  /**
   * Adds by to every value of a column of a site's CSV file (empty cells stay empty), rewriting
   * it atomically: the drift scenario's shifted hospital (e.g. ages + 10 years).
   */
  public static void shift(Path csv, String column, double by) {
    try {
      java.util.List<String> lines = Files.readAllLines(csv);
      java.util.List<String> header = java.util.List.of(lines.get(0).split(",", -1));
      int at = header.indexOf(column);
      if (at < 0) throw new IllegalArgumentException(csv + " has no column '" + column + "'");
      java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of(lines.get(0)));
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",", -1);
        if (cells.length > at && !cells[at].isBlank()) {
          cells[at] = org.consilium.analytics.dictionary.ColumnDefinition.format(Double.parseDouble(cells[at]) + by);
        }
        out.add(String.join(",", cells));
      }
      org.consilium.analytics.durable.AtomicFile.write(csv, (String.join("\n", out) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot shift " + column + " in " + csv, e);
    }
  }

  /** The consortium's data dictionary for this data (bundled beside the files), as YAML text. */
  public static String dictionaryText() {
    try (InputStream in = HeartDisease.class.getResourceAsStream("heart-disease/dictionary.yaml")) {
      if (in == null) throw new IOException("bundled file heart-disease/dictionary.yaml is missing from the build");
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The data dictionary, parsed. */
  public static org.consilium.analytics.dictionary.DataDictionary dictionary() {
    return org.consilium.analytics.dictionary.DataDictionary.parse(dictionaryText(), "heart-disease/dictionary.yaml");
  }

  private static Path copy(String name, Path dir) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = HeartDisease.class.getResourceAsStream("heart-disease/" + name)) {
      if (in == null) throw new IOException("bundled file heart-disease/" + name + " is missing from the build");
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
