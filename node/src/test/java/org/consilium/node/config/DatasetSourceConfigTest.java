package org.consilium.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.consilium.analytics.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset's keys of the other kind of source are refused, naming them, not ignored in silence. */
class DatasetSourceConfigTest {
  @TempDir
  Path dir;

  private Path config(String datasetLines) throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "node:\n  id: alpha\ntls:\n  certificate: node.crt\n  private_key: node.key\n  ca: ca.crt\n"
        + "datasets:\n  heart:\n" + datasetLines);
    return f;
  }

  @Test
  void aCsvDatasetRefusesDatabaseKeysAndADatabaseDatasetRefusesCsvKeys() throws Exception {
    Settings.ConfigException csv = assertThrows(Settings.ConfigException.class,
        () -> NodeConfig.load(config("    path: 'heart.csv'\n    table: heart\n    user: reader\n"), Map.of()));
    assertTrue(csv.getMessage().endsWith("dataset 'heart': [table, user] apply to a database (jdbc_url), not to a CSV file (path)"),
        csv.getMessage());
    Settings.ConfigException db = assertThrows(Settings.ConfigException.class,
        () -> NodeConfig.load(config("    jdbc_url: 'jdbc:postgresql://db/research'\n    table: heart\n    delimiter: ';'\n"), Map.of()));
    assertTrue(db.getMessage().endsWith("dataset 'heart': [delimiter] apply to a CSV file (path), not to a database (jdbc_url)"),
        db.getMessage());
    assertEquals(';', ((org.consilium.node.data.DataSource.CsvFile) NodeConfig.load(config("    path: 'heart.csv'\n    delimiter: ';'\n"),
        Map.of()).datasets().get("heart").source()).format().delimiter(), "a CSV dataset keeps its own keys");
  }
}
