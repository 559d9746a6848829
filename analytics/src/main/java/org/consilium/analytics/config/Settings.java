package org.consilium.analytics.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A program's configuration: one YAML file, flattened to dotted keys ("coordinator.port"),
 * each overridable by an environment variable named CONSILIUM_ plus the key in upper case with
 * dots and dashes as underscores (CONSILIUM_COORDINATOR_PORT). Only declared keys are accepted:
 * a typo in the file is an error naming the key, not a silently ignored setting. Relative paths
 * resolve against the file's folder.
 */
public final class Settings {
  private final Path file;
  private final Map<String, Object> values;

  private final Set<String> fromEnvironment;

  private Settings(Path file, Map<String, Object> values, Set<String> fromEnvironment) {
    this.file = file;
    this.values = values;
    this.fromEnvironment = fromEnvironment;
  }

  /**
   * Every setting the file or the environment gives, in key order, as "key = value" with
   * "(environment VAR)" where a variable overrode the file: what --check prints.
   */
  public java.util.List<String> describe() {
    java.util.List<String> lines = new java.util.ArrayList<>();
    new java.util.TreeMap<>(values).forEach((k, v) -> lines.add(k + " = " + v + (fromEnvironment.contains(k) ? "  (environment " + envName(k) + ")" : "")));
    return lines;
  }


  /** Loads a file, checking every key against the declared ones (prefix.* allows a free subtree). */
  public static Settings load(Path file, Set<String> declared, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (RuntimeException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
    }
    Map<String, Object> flat = new LinkedHashMap<>();
    if (root != null) {
      if (!(root instanceof Map<?, ?> m)) throw new ConfigException(file + ": top level must be a mapping");
      flatten("", m, flat);
    }
    for (String key : flat.keySet()) {
      if (!isDeclared(key, declared)) throw new ConfigException(file + ": unknown setting '" + key + "'");
    }
    for (String key : declared) {
      if (key.endsWith(".*")) continue;
      String var = envName(key);
      if (env.containsKey(var)) flat.put(key, env.get(var));
    }
    overrideSubtrees(file, declared, env, flat);
    Set<String> fromEnvironment = new java.util.HashSet<>(flat.keySet().stream().filter(k -> env.containsKey(envName(k))).toList());
    return new Settings(file, flat, fromEnvironment);
  }

  /**
   * Variables for keys of a free subtree (CONSILIUM_DATASETS_HEART_DISEASE_PATH) override the
   * file's key of that name. One that names no key of the file is an error, not a silently
   * ignored setting: a subtree's entries (a dataset) are declared in the file, then overridden.
   */
  private static void overrideSubtrees(Path file, Set<String> declared, Map<String, String> env, Map<String, Object> flat) {
    for (String subtree : declared) {
      if (!subtree.endsWith(".*")) continue;
      String prefix = subtree.substring(0, subtree.length() - 1);
      String varPrefix = envName(prefix);
      for (var e : env.entrySet()) {
        if (!e.getKey().startsWith(varPrefix)) continue;
        String key = flat.keySet().stream().filter(k -> k.startsWith(prefix) && envName(k).equals(e.getKey())).findFirst().orElse(null);
        if (key == null) {
          throw new ConfigException(file + ": environment variable " + e.getKey() + " overrides no setting of this file (settings under '"
              + prefix + "' can be overridden, not added: declare it in the file first)");
        }
        flat.put(key, e.getValue());
      }
    }
  }

  public static String envName(String key) {
    return "CONSILIUM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static boolean isDeclared(String key, Set<String> declared) {
    if (declared.contains(key)) return true;
    for (String d : declared) {
      if (d.endsWith(".*") && key.startsWith(d.substring(0, d.length() - 1))) return true;
    }
    return false;
  }

  private static void flatten(String prefix, Map<?, ?> m, Map<String, Object> out) {
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> inner) flatten(key + ".", inner, out);
      else out.put(key, e.getValue());
    }
  }

  public Path file() {
    return file;
  }

  public boolean has(String key) {
    return values.get(key) != null;
  }

  public String string(String key, String fallback) {
    Object v = values.get(key);
    return v == null ? fallback : v.toString();
  }

  public String requireString(String key) {
    Object v = values.get(key);
    if (v == null || v.toString().isBlank()) throw new ConfigException(file + ": missing required setting '" + key + "'");
    return v.toString();
  }

  public int integer(String key, int fallback) {
    Object v = values.get(key);
    if (v == null) return fallback;
    try {
      return Integer.parseInt(v.toString().strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(file + ": setting '" + key + "' must be an integer, got '" + v + "'");
    }
  }

  public double number(String key, double fallback) {
    Object v = values.get(key);
    if (v == null) return fallback;
    try {
      return Double.parseDouble(v.toString().strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(file + ": setting '" + key + "' must be a number, got '" + v + "'");
    }
  }

  public boolean bool(String key, boolean fallback) {
    Object v = values.get(key);
    if (v == null) return fallback;
    String s = v.toString().strip().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("false")) return Boolean.parseBoolean(s);
    throw new ConfigException(file + ": setting '" + key + "' must be true or false, got '" + v + "'");
  }

  /**
   * A list setting; in an environment variable either comma-separated ({@code age, sex}) or
   * written as in the file ({@code [age, sex]}, a YAML flow sequence).
   */
  public List<String> list(String key) {
    Object v = values.get(key);
    if (v == null) return List.of();
    if (v instanceof String text && text.strip().startsWith("[")) {
      try {
        v = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
      } catch (RuntimeException e) {
        throw new ConfigException(file + ": setting '" + key + "' is not a valid list: " + text);
      }
      if (!(v instanceof List<?>)) throw new ConfigException(file + ": setting '" + key + "' is not a valid list: " + text);
    }
    if (v instanceof List<?> l) {
      List<String> out = new ArrayList<>();
      l.forEach(x -> out.add(String.valueOf(x)));
      return out;
    }
    String s = v.toString().strip();
    return s.isEmpty() ? List.of() : List.of(s.split("\\s*,\\s*"));
  }

  /** A path setting, resolved against the configuration file's folder. */
  public Path path(String key) {
    return file.toAbsolutePath().getParent().resolve(requireString(key)).normalize();
  }

  /** The distinct second-level names under a free subtree, e.g. datasets.* gives dataset names. */
  public List<String> children(String prefix) {
    return values.keySet().stream().filter(k -> k.startsWith(prefix + "."))
        .map(k -> k.substring(prefix.length() + 1).split("\\.")[0]).distinct().toList();
  }

  /** Invalid configuration; the message names the file and the setting. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message);
    }
  }
}
