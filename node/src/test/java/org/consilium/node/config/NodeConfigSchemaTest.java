package org.consilium.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.consilium.analytics.config.ConfigKey;
import org.junit.jupiter.api.Test;

/** The README's configuration table is the schema's, row for row: a key added in one place and not the other fails here. */
class NodeConfigSchemaTest {
  @Test
  void theReadmeTableIsTheSchema() throws Exception {
    assertEquals(List.of(), ConfigKey.readmeMismatches(NodeConfig.SCHEMA, Files.readAllLines(Path.of("README.md"))),
        "README.md's configuration table must list exactly NodeConfig.SCHEMA (name, default, meaning), in order");
  }
}
