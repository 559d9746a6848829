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

  /** Site-local concept ids (OMOP reserves 2,000,000,000 and above for them) for what has no standard concept here. */
  private static final Map<String, Long> LOCAL = Map.of("oldpeak", 2_000_000_001L, "fbs", 2_000_000_002L, "restecg", 2_000_000_003L,
      "exang", 2_000_000_004L, "slope", 2_000_000_005L, "ca", 2_000_000_006L, "thal", 2_000_000_007L, "num", 2_000_000_008L,
      "cp", 2_000_000_009L);
  /** Standard concepts: systolic blood pressure, total cholesterol, heart rate; chest pain type as value concepts. */
  private static final Map<String, Long> MEASURED = Map.of("trestbps", 3_004_249L, "chol", 3_027_114L, "thalach", 3_027_018L);
  private static final long HEART_DISEASE = 4_185_932L;

  /**
   * The same hospital's records as an OMOP CDM v5.4 instance (person, measurement, observation,
   * condition_occurrence, with the CDM's required columns), built from the CSV: a mapping file
   * defines the dataset over it, and the node reads exactly the CSV's numbers. Older
   * measurements of a concept are ignored (the newest counts); a diagnosis is a condition occurrence.
   */
  @Test
  void anOmopCdmInstanceMappedToTheDatasetGivesTheCsvNumbers() throws Exception {
    try (Connection c = pg.admin("research"); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA cdm");
      s.execute("CREATE TABLE cdm.person (person_id bigint PRIMARY KEY, gender_concept_id integer NOT NULL, year_of_birth integer NOT NULL, "
          + "race_concept_id integer NOT NULL, ethnicity_concept_id integer NOT NULL)");
      s.execute("CREATE TABLE cdm.measurement (measurement_id bigint PRIMARY KEY, person_id bigint NOT NULL, measurement_concept_id integer NOT NULL, "
          + "measurement_date date NOT NULL, measurement_type_concept_id integer NOT NULL, value_as_number numeric)");
      s.execute("CREATE TABLE cdm.observation (observation_id bigint PRIMARY KEY, person_id bigint NOT NULL, observation_concept_id integer NOT NULL, "
          + "observation_date date NOT NULL, observation_type_concept_id integer NOT NULL, value_as_number numeric, value_as_concept_id integer)");
      s.execute("CREATE TABLE cdm.condition_occurrence (condition_occurrence_id bigint PRIMARY KEY, person_id bigint NOT NULL, "
          + "condition_concept_id integer NOT NULL, condition_start_date date NOT NULL, condition_type_concept_id integer NOT NULL)");
      long id = 0;
      for (int i = 0; i < fromCsv.rowCount(); i++) {
        long person = i + 1;
        s.addBatch("INSERT INTO cdm.person VALUES (" + person + ", " + (fromCsv.value(i, "sex") == 0 ? 8532 : 8507) + ", "
            + (2026 - (long) fromCsv.value(i, "age")) + ", 0, 0)");
        for (var m : MEASURED.entrySet()) {
          double v = fromCsv.value(i, m.getKey());
          if (Double.isNaN(v)) continue;
          // An older, different reading first: the mapping takes the newest.
          s.addBatch("INSERT INTO cdm.measurement VALUES (" + (++id) + ", " + person + ", " + m.getValue() + ", '2020-01-01', 32817, " + (v + 7) + ")");
          s.addBatch("INSERT INTO cdm.measurement VALUES (" + (++id) + ", " + person + ", " + m.getValue() + ", '2024-05-01', 32817, " + v + ")");
        }
        for (var o : LOCAL.entrySet()) {
          double v = fromCsv.value(i, o.getKey());
          if (Double.isNaN(v)) continue;
          boolean asConcept = o.getKey().equals("cp");
          s.addBatch("INSERT INTO cdm.observation VALUES (" + (++id) + ", " + person + ", " + o.getValue() + ", '2024-05-01', 32817, "
              + (asConcept ? "NULL, " + (2_000_000_100L + (long) v) : v + ", NULL") + ")");
        }
        if (fromCsv.value(i, "num") > 0) {
          s.addBatch("INSERT INTO cdm.condition_occurrence VALUES (" + (++id) + ", " + person + ", " + HEART_DISEASE + ", '2024-05-02', 32817)");
        }
      }
      s.executeBatch();
      s.execute("GRANT USAGE ON SCHEMA cdm TO reader");
      s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA cdm TO reader");
    }
    StringBuilder mapping = new StringBuilder("schema: cdm\nage_at_year: 2026\ncolumns:\n  age: {table: person, field: age}\n"
        + "  sex: {table: person, field: gender_concept_id, codes: {8532: 0, 8507: 1}}\n"
        + "  cp: {table: observation, concept_id: " + LOCAL.get("cp") + ", value: concept, codes: {2000000101: 1, 2000000102: 2, "
        + "2000000103: 3, 2000000104: 4}}\n");
    MEASURED.forEach((column, concept) -> mapping.append("  ").append(column).append(": {table: measurement, concept_id: ").append(concept).append("}\n"));
    LOCAL.forEach((column, concept) -> {
      if (!column.equals("cp")) mapping.append("  ").append(column).append(": {table: observation, concept_id: ").append(concept).append("}\n");
    });
    mapping.append("  heart_disease: {table: condition_occurrence, concept_id: ").append(HEART_DISEASE).append("}\n");
    Path file = dir.resolve("omop-heart.yaml");
    Files.writeString(file, mapping);

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
