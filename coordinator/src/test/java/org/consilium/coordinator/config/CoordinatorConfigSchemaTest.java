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
    assertEquals(List.of(), ConfigKey.readmeMismatches(CoordinatorConfig.SCHEMA, Files.readAllLines(Path.of("README.md"))),
        "README.md's configuration table must list exactly CoordinatorConfig.SCHEMA (name, default, meaning), in order");
  }
}
