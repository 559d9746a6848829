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
