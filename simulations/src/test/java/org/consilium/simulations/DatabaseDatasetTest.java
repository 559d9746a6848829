package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.CsvLoader;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.data.DatasetException;
import org.consilium.deploy.Provisioner;
import org.consilium.node.data.DataSource;
import org.consilium.node.data.DatasetLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hospital keeps its records in PostgreSQL: a real server (started for this class, stopped
 * after) holds Cleveland's rows with sex written as the dictionary's labels. A node reads a
 * table, or a query, to the same numbers as the CSV file; whatever the query says, it runs in a
 * read-only transaction; a wrong password is refused without being printed. The same records as
 * an OMOP CDM v5.4 instance, through a mapping file, give the same numbers again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseDatasetTest {
  private static final String READER_PASSWORD = "r3ader-Pa55";
  private static final String HEADER = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,num";
  @TempDir
  static Path dir;
  private LocalPostgres pg;
  private Path csv;
  private Dataset fromCsv;

  @BeforeAll
  void startTheHospitalsDatabase() throws Exception {
    pg = LocalPostgres.start();
    csv = HeartDisease.extractTo(dir.resolve("data")).get("cleveland");
    try (InputStream in = Files.newInputStream(csv)) {
      fromCsv = new CsvLoader(BadRowPolicy.FAIL, 10_000).load("cleveland.csv", in);
    }
    try (Connection c = pg.admin("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE ROLE reader LOGIN PASSWORD '" + READER_PASSWORD + "'");
      s.execute("CREATE DATABASE research");
    }
    try (Connection c = pg.admin("research"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE heart (age double precision, sex text, cp integer, trestbps double precision, chol double precision, "
          + "fbs integer, restecg integer, thalach double precision, exang integer, oldpeak numeric(4,1), slope integer, ca integer, "
          + "thal integer, num integer)");
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO heart VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
        List<String> columns = List.of(HEADER.split(","));
        for (int i = 0; i < fromCsv.rowCount(); i++) {
          for (int j = 0; j < columns.size(); j++) {
            double v = fromCsv.value(i, columns.get(j));
            if (Double.isNaN(v)) insert.setObject(j + 1, null);
            else if (columns.get(j).equals("sex")) insert.setString(j + 1, v == 0 ? "female" : "male");
            else insert.setObject(j + 1, v);
          }
          insert.addBatch();
        }
        insert.executeBatch();
      }
      s.execute("GRANT SELECT ON heart TO reader");
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (pg != null) pg.close();
  }

  private DataSource.Database source(String table, String query, String password) {
    return new DataSource.Database(pg.url("research"), table, query, "reader", new DataSource.Secret(password));
  }

  private static Dataset load(DataSource source) {
    return DatasetLoader.load("heart-disease", source, BadRowPolicy.FAIL, 10_000,
        HeartDisease.dictionary().dataset(HeartDisease.DATASET).textCells());
  }

  /** Provisions a node over the CSV, then points its dataset at the database instead, with these lines. */
  private NodeCheck checkNodeReading(String... datasetLines) throws Exception {
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("db", dir.resolve("kits-" + System.nanoTime()), "127.0.0.1",
        1, 2, 3, List.of(new Provisioner.NodePlan("alpha", Map.of(HeartDisease.DATASET, csv), Map.of())), Map.of(), 0,
        HeartDisease.dictionaryText()));
    Path config = kits.nodeConfigs().get("alpha");
    String yaml = Files.readString(config);
    String pathLine = yaml.lines().filter(l -> l.strip().startsWith("path:")).findFirst().orElseThrow();
    Files.writeString(config, yaml.replace(pathLine, "    " + String.join("\n    ", datasetLines)));
    return NodeCheck.run(config);
  }

  @Test
  void aTableLoadsToTheSameNumbersAsTheCsvFile() throws Exception {
    Dataset fromDb = load(source("heart", null, READER_PASSWORD));
    assertEquals(fromCsv.rowCount(), fromDb.rowCount());
    for (String column : HEADER.split(",")) {
      for (int i = 0; i < fromCsv.rowCount(); i++) {
        assertEquals(fromCsv.value(i, column), fromDb.value(i, column), 1e-12, column + " of row " + (i + 1));
      }
    }
    Path password = dir.resolve("db-password");
    Files.writeString(password, READER_PASSWORD + "\n");
    NodeCheck node = checkNodeReading("jdbc_url: '" + pg.url("research") + "'", "table: heart", "user: reader",
        "password_file: '" + password + "'");
    assertEquals(0, node.exit(), node.err());
    assertTrue(node.out().contains("dataset heart-disease: " + fromCsv.rowCount() + " rows, 0 skipped (" + pg.url("research") + " table heart)"),
        node.out());
  }

  @Test
  void aQueryRunsReadOnlyWhateverItSays() throws Exception {
    assertEquals(fromCsvRows(r -> r >= 60), load(source(null, "SELECT * FROM heart WHERE age >= 60", READER_PASSWORD)).rowCount());
    try (Connection c = pg.admin("research"); Statement s = c.createStatement()) {
      s.execute("GRANT DELETE ON heart TO reader"); // even a role that may write cannot through the node
    }
    DatasetException e = assertThrows(DatasetException.class,
        () -> load(source(null, "WITH gone AS (DELETE FROM heart RETURNING *) SELECT * FROM gone", READER_PASSWORD)));
    assertTrue(e.getMessage().contains("in a read-only transaction"), "PostgreSQL refuses the write: " + e.getMessage());
    try (Connection c = pg.admin("research"); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM heart")) {
      r.next();
      assertEquals(fromCsv.rowCount(), r.getInt(1), "nothing was deleted");
    }
    var notSelect = assertThrows(IllegalArgumentException.class, () -> source(null, "DELETE FROM heart", READER_PASSWORD));
    assertEquals("query must be a SELECT (or WITH ... SELECT) statement", notSelect.getMessage());
  }

  @Test
  void aWrongPasswordIsRefusedWithoutBeingPrinted() throws Exception {
    Path wrong = dir.resolve("wrong-password");
    Files.writeString(wrong, "Hunter2-guess");
    NodeCheck node = checkNodeReading("jdbc_url: '" + pg.url("research") + "'", "table: heart", "user: reader",
        "password_file: '" + wrong + "'");
    assertEquals(2, node.exit());
    assertTrue(node.err().contains("password authentication failed for user \"reader\""), node.err());
    assertFalse((node.err() + node.out()).contains("Hunter2-guess"), "the password is never printed");
    assertTrue(node.err().contains("(" + pg.url("research") + " table heart)"), "the error names the source: " + node.err());
  }

  /**
   * The same hospital's records as an OMOP CDM v5.4 instance (person, measurement, observation,
   * condition_occurrence, with the CDM's required columns), built from the CSV: a mapping file
   * defines the dataset over it, and the node reads exactly the CSV's numbers. Older
   * measurements of a concept are ignored (the newest counts); a diagnosis is a condition occurrence.
   */
  @Test
  void anOmopCdmInstanceMappedToTheDatasetGivesTheCsvNumbers() throws Exception {
    Path file = OmopInstance.build(pg, "research", "reader", fromCsv, dir.resolve("omop-heart.yaml"));

    Dataset fromOmop = load(source(null, org.consilium.node.data.OmopMapping.query(file), READER_PASSWORD));
    assertEquals(fromCsv.rowCount(), fromOmop.rowCount());
    for (String column : HEADER.split(",")) {
      for (int i = 0; i < fromCsv.rowCount(); i++) {
        assertEquals(fromCsv.value(i, column), fromOmop.value(i, column), 1e-9, column + " of person " + (i + 1));
      }
    }
    for (int i = 0; i < fromCsv.rowCount(); i++) {
      assertEquals(fromCsv.value(i, "num") > 0 ? 1 : 0, fromOmop.value(i, "heart_disease"), "a condition occurrence marks person " + (i + 1));
    }
    Path password = dir.resolve("omop-password");
    Files.writeString(password, READER_PASSWORD);
    NodeCheck node = checkNodeReading("jdbc_url: '" + pg.url("research") + "'", "omop_mapping: '" + file + "'", "user: reader",
        "password_file: '" + password + "'");
    assertEquals(0, node.exit(), node.err());
    assertTrue(node.out().contains("dataset heart-disease: " + fromCsv.rowCount() + " rows, 0 skipped"), node.out());
    var bad = assertThrows(IllegalArgumentException.class, () -> org.consilium.node.data.OmopMapping.query(writeMapping(
        "columns:\n  chol: {table: measurement, concept_id: '1; DROP TABLE person'}\n")));
    assertTrue(bad.getMessage().endsWith("column 'chol': concept_id must be an integer, got '1; DROP TABLE person'"), bad.getMessage());
  }

  private Path writeMapping(String yaml) throws java.io.IOException {
    Path f = dir.resolve("mapping-" + System.nanoTime() + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private long fromCsvRows(java.util.function.DoublePredicate onAge) {
    long n = 0;
    for (int i = 0; i < fromCsv.rowCount(); i++) if (onAge.test(fromCsv.value(i, "age"))) n++;
    return n;
  }
}
