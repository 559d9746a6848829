package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.consilium.deploy.Provisioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node checks its data against the consortium's data dictionary before it will start. */
class NodeDictionaryCheckTest {
  @TempDir
  Path dir;

  /** Provisions one node over the given CSV text and runs consilium-node --check on its kit. */
  private NodeCheck check(String csv) throws Exception {
    return check(csv.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  private NodeCheck check(byte[] csv, Map<String, String> settings) throws Exception {
    Path data = dir.resolve("site-" + java.util.Arrays.hashCode(csv) + ".csv");
    Files.write(data, csv);
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("check", dir.resolve("kits-" + java.util.Arrays.hashCode(csv)),
        "127.0.0.1", 1, 2, 3, List.of(new Provisioner.NodePlan("alpha", Map.of(HeartDisease.DATASET, data), settings)), Map.of(), 0,
        HeartDisease.dictionaryText()));
    return NodeCheck.run(kits.nodeConfigs().get("alpha"));
  }

  /**
   * A site exports from a spreadsheet in its own locale: ';' between fields, decimal commas,
   * ISO-8859-1, quoted fields, and labels instead of codes. Declared in the dataset's settings,
   * the node reads it to the same numbers as the plain file; a label the dictionary does not
   * know stops it, naming the line, the column and the labels it accepts.
   */
  @Test
  void aSitesOwnCsvDialectWithTextLabelsLoadsToTheSameNumbers() throws Exception {
    String plain = HEADER + "\n63,1,1,145,233,1,2,150,0,2.3,3,0,6,0\n41,0,2,130,204,0,2,172,0,1.4,1,0,3,0\n";
    String local = HEADER.replace(',', ';') + "\n63;\"male\";typical angina;145;233;1;2;150;0;2,3;3;0;6;0\n"
        + "41;Female;\"atypical angina\";130;204;0;2;172;0;1,4;1;0;3;0\n";
    Map<String, String> dialect = Map.of("datasets.heart-disease.delimiter", "';'", "datasets.heart-disease.decimal", "','",
        "datasets.heart-disease.encoding", "ISO-8859-1");
    NodeCheck r = check(local.getBytes(StandardCharsets.ISO_8859_1), dialect);
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("dataset heart-disease: 2 rows, 0 skipped (delimiter ';', decimal ',', ISO-8859-1)"), r.out());
    var dictionary = HeartDisease.dictionary().dataset(HeartDisease.DATASET);
    var fromLocal = new org.consilium.analytics.data.CsvLoader(org.consilium.analytics.data.BadRowPolicy.FAIL, 10,
        org.consilium.analytics.data.CsvFormat.of(";", ",", "ISO-8859-1"), dictionary.textCells())
        .load("local.csv", new java.io.ByteArrayInputStream(local.getBytes(StandardCharsets.ISO_8859_1)));
    var fromPlain = new org.consilium.analytics.data.CsvLoader(org.consilium.analytics.data.BadRowPolicy.FAIL, 10)
        .load("plain.csv", new java.io.ByteArrayInputStream(plain.getBytes(StandardCharsets.UTF_8)));
    for (String column : fromPlain.columns()) {
      for (int i = 0; i < 2; i++) assertEquals(fromPlain.value(i, column), fromLocal.value(i, column), column + " of row " + i);
    }
    NodeCheck bad = check((local + "50;mle;typical angina;140;200;0;0;150;0;1;2;0;3;1\n").getBytes(StandardCharsets.ISO_8859_1),
        Map.of("datasets.heart-disease.delimiter", "';'", "datasets.heart-disease.decimal", "','", "datasets.heart-disease.encoding",
            "ISO-8859-1", "datasets.heart-disease.bad_rows", "fail"));
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains(":4 column 'sex': 'mle' is neither a number nor a label of 'sex' [female, male]"), bad.err());
  }

  private static final String HEADER = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,num";

  @Test
  void dataThatMatchesTheDictionaryStarts() throws Exception {
    NodeCheck r = check(HEADER + ",internal_id\n63,1,1,145,233,1,2,150,0,2.3,3,0,6,0,991\n");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("data dictionary version 1"), r.out());
  }

  @Test
  void aMissingColumnStopsTheNodeNamingIt() throws Exception {
    NodeCheck r = check(HEADER.replace(",thal", "") + "\n63,1,1,145,233,1,2,150,0,2.3,3,0,0\n");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("column 'thal' of the data dictionary is missing"), r.err());
  }

  @Test
  void anUndeclaredCategoryCodeStopsTheNodeNamingTheRow() throws Exception {
    NodeCheck r = check(HEADER + "\n63,1,1,145,233,1,2,150,0,2.3,3,0,6,0\n50,2,1,140,200,0,0,150,0,1,2,0,3,1\n");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("row 2: column 'sex' has 2, not one of the declared codes [0, 1]"), r.err());
  }
}
