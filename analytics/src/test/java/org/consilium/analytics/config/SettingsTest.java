package org.consilium.analytics.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir
  Path dir;

  private static final Set<String> KEYS = Set.of("a.port", "a.name", "a.list", "tls.ca", "sets.*");

  private Path write(String yaml) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void readsNestedKeysListsAndRelativePaths() throws Exception {
    Settings s = Settings.load(write("a:\n  port: 7\n  list: [x, y]\ntls:\n  ca: ca.crt\nsets:\n  one:\n    path: p\n"), KEYS, Map.of());
    assertEquals(7, s.integer("a.port", 0));
    assertEquals(List.of("x", "y"), s.list("a.list"));
    assertEquals(dir.resolve("ca.crt"), s.path("tls.ca"));
    assertEquals(List.of("one"), s.children("sets"));
    assertEquals("fallback", s.string("a.name", "fallback"));
  }

  @Test
  void environmentVariablesOverrideTheFile() throws Exception {
    Settings s = Settings.load(write("a:\n  port: 7\n"), KEYS, Map.of("CONSILIUM_A_PORT", "9", "CONSILIUM_A_LIST", "p, q"));
    assertEquals(9, s.integer("a.port", 0));
    assertEquals(List.of("p", "q"), s.list("a.list"));
  }

  /** A free subtree's keys (a dataset's path) are overridden like any other; one the file lacks is an error, not ignored. */
  @Test
  void environmentVariablesOverrideAFreeSubtreesKeysAndNameOnesThatMatchNothing() throws Exception {
    Path f = write("sets:\n  heart-disease:\n    path: p.csv\n");
    Settings s = Settings.load(f, KEYS, Map.of("CONSILIUM_SETS_HEART_DISEASE_PATH", "/data/q.csv"));
    assertEquals(Path.of("/data/q.csv"), s.path("sets.heart-disease.path"));
    Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
        () -> Settings.load(f, KEYS, Map.of("CONSILIUM_SETS_HEART_DISEASE_PAHT", "/data/q.csv")));
    assertTrue(e.getMessage().endsWith("environment variable CONSILIUM_SETS_HEART_DISEASE_PAHT overrides no setting of this file "
        + "(settings under 'sets.' can be overridden, not added: declare it in the file first)"), e.getMessage());
  }

  @Test
  void aListInAnEnvironmentVariableMayBeWrittenAsInTheFile() throws Exception {
    Settings s = Settings.load(write("a:\n  port: 7\n"), KEYS, Map.of("CONSILIUM_A_LIST", "[age, sex, num]"));
    assertEquals(List.of("age", "sex", "num"), s.list("a.list"), "not '[age', 'sex', 'num]'");
    Settings bad = Settings.load(write("a:\n  port: 7\n"), KEYS, Map.of("CONSILIUM_A_LIST", "[age, sex"));
    Settings.ConfigException e = assertThrows(Settings.ConfigException.class, () -> bad.list("a.list"));
    assertTrue(e.getMessage().contains("'a.list' is not a valid list"), e.getMessage());
  }

  @Test
  void mistakesAreNamed() throws Exception {
    Settings.ConfigException unknown = assertThrows(Settings.ConfigException.class,
        () -> Settings.load(write("a:\n  prot: 7\n"), KEYS, Map.of()));
    assertTrue(unknown.getMessage().endsWith("unknown setting 'a.prot'"), unknown.getMessage());
    Settings s = Settings.load(write("a:\n  port: seven\n"), KEYS, Map.of());
    Settings.ConfigException type = assertThrows(Settings.ConfigException.class, () -> s.integer("a.port", 0));
    assertTrue(type.getMessage().contains("'a.port' must be an integer, got 'seven'"), type.getMessage());
    assertThrows(Settings.ConfigException.class, () -> s.requireString("a.name"));
    assertThrows(Settings.ConfigException.class, () -> Settings.load(write("a: [unclosed\n"), KEYS, Map.of()));
  }
}
