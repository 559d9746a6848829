package org.consilium.simulations;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.consilium.analytics.data.Dataset;

/**
 * A hospital's heart-disease records as a small OMOP CDM v5.4 instance in PostgreSQL (schema
 * {@code cdm}: person, measurement, observation, condition_occurrence with the CDM's required
 * columns), and the mapping file that defines the consortium's dataset over it.
 */
final class OmopInstance {
  private OmopInstance() {}

  /** Site-local concept ids (OMOP reserves 2,000,000,000 and above for them) for what has no standard concept here. */
  static final Map<String, Long> LOCAL = Map.of("oldpeak", 2_000_000_001L, "fbs", 2_000_000_002L, "restecg", 2_000_000_003L,
      "exang", 2_000_000_004L, "slope", 2_000_000_005L, "ca", 2_000_000_006L, "thal", 2_000_000_007L, "num", 2_000_000_008L,
      "cp", 2_000_000_009L);
  /** Standard concepts: systolic blood pressure, total cholesterol, heart rate; chest pain type as value concepts. */
  static final Map<String, Long> MEASURED = Map.of("trestbps", 3_004_249L, "chol", 3_027_114L, "thalach", 3_027_018L);
  static final long HEART_DISEASE = 4_185_932L;

  /**
   * Loads the rows into database (schema cdm) readable by the role reader, writes the mapping to
   * mappingFile and returns it. Each measured value also has an older, different reading: the
   * mapping must take the newest.
   */
  static Path build(LocalPostgres pg, String database, String reader, Dataset fromCsv, Path mappingFile) throws Exception {
    try (Connection c = pg.admin(database); Statement s = c.createStatement()) {
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
      s.execute("GRANT USAGE ON SCHEMA cdm TO " + reader);
      s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA cdm TO " + reader);
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
    Files.writeString(mappingFile, mapping);
    return mappingFile;
  }
}
