package org.consilium.coordinator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.consilium.analytics.config.ConfigKey;
import org.junit.jupiter.api.Test;

/** The README's configuration table is the schema's, row for row: a key added in one place and not the other fails here. */
class CoordinatorConfigSchemaTest {
  @Test
  void theReadmeTableIsTheSchema() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("README.md"));
    int from = lines.indexOf(lines.stream().filter(l -> l.startsWith("## Configuration")).findFirst().orElseThrow());
    List<String> readme = new java.util.ArrayList<>();
    for (String l : lines.subList(from + 1, lines.size())) {
      if (l.startsWith("## ")) break;
      if (l.startsWith("| `")) readme.add(l);
    }
    List<String> schema = ConfigKey.tableRows(CoordinatorConfig.SCHEMA);
    for (int i = 0; i < Math.min(schema.size(), readme.size()); i++) {
      assertEquals(schema.get(i), readme.get(i), "row " + (i + 1) + " of README.md's configuration table against CoordinatorConfig.SCHEMA");
    }
    assertEquals(schema.size(), readme.size(), "README.md's configuration table lists every key of CoordinatorConfig.SCHEMA, no more");
  }
}
