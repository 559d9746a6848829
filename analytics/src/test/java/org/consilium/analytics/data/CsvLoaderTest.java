package org.consilium.analytics.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvLoaderTest {
  private static Dataset load(BadRowPolicy p, String csv) {
    return new CsvLoader(p, 1000).load("site.csv", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
  }

  /** sex: 0 female, 1 male, as a data dictionary would map them. */
  private static final TextCells SEX = (column, text) -> {
    if (!column.equals("sex")) throw new IllegalArgumentException("'" + text + "' is not a number");
    if (text.equalsIgnoreCase("female")) return 0;
    if (text.equalsIgnoreCase("male")) return 1;
    throw new IllegalArgumentException("'" + text + "' is neither a number nor a label of 'sex' [female, male]");
  };

  private static Dataset load(CsvFormat format, byte[] bytes) {
    return new CsvLoader(BadRowPolicy.FAIL, 1000, format, SEX).load("site.csv", new ByteArrayInputStream(bytes));
  }

  @Test
  void readsNumbersAndEmptyCellsAsMissing() {
    Dataset d = load(BadRowPolicy.FAIL, "age,chol\n63,233\n41,\n.5,-1e2\n");
    assertEquals(3, d.rowCount());
    assertEquals(63, d.value(0, "age"));
    assertTrue(Double.isNaN(d.value(1, "chol")));
    assertEquals(0.5, d.value(2, "age"));
    assertEquals(-100, d.value(2, "chol"));
  }

  @Test
  void aBadCellNamesFileLineColumnAndReason() {
    DatasetException e = assertThrows(DatasetException.class, () -> load(BadRowPolicy.FAIL, "age,chol\n63,233\n41,abc\n"));
    assertEquals(new RowError("site.csv", 3, "chol", "'abc' is not a number"), e.error());
    assertEquals("site.csv:3 column 'chol': 'abc' is not a number", e.getMessage());
  }

  @Test
  void aRowWithTheWrongNumberOfFieldsIsReported() {
    DatasetException e = assertThrows(DatasetException.class, () -> load(BadRowPolicy.FAIL, "a,b\n1,2,3\n"));
    assertEquals("site.csv:2: has 3 fields, the header has 2", e.getMessage());
  }

  @Test
  void skipPolicyKeepsGoodRowsAndReportsEveryBadOne() {
    Dataset d = load(BadRowPolicy.SKIP, "a,b\n1,2\nx,2\n3,4\n5\n6,NaN\n7,0x10\n");
    assertEquals(2, d.rowCount());
    assertEquals(4, d.skippedRows().size());
    assertEquals(3, d.skippedRows().get(0).line());
    assertEquals("b", d.skippedRows().get(2).column(), "NaN is not accepted as a number");
  }

  @Test
  void headerProblemsAlwaysStopTheLoad() {
    assertThrows(DatasetException.class, () -> load(BadRowPolicy.SKIP, ""));
    DatasetException e = assertThrows(DatasetException.class, () -> load(BadRowPolicy.SKIP, "a,a\n1,2\n"));
    assertTrue(e.getMessage().contains("duplicate column name"), e.getMessage());
  }

  @Test
  void quotedFieldsTextLabelsAndLineNumbersAcrossAQuotedNewline() {
    String csv = "age,sex,note\n\"63\",male,\"chest pain, \"\"typical\"\"\"\n41,Female,\"two\nlines\"\n50,mle,x\n";
    TextCells notes = (c, t) -> c.equals("note") ? 0 : SEX.code(c, t);
    DatasetException e = assertThrows(DatasetException.class, () -> new CsvLoader(BadRowPolicy.FAIL, 1000, CsvFormat.DEFAULT, notes)
        .load("site.csv", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8))));
    assertEquals("site.csv:5 column 'sex': 'mle' is neither a number nor a label of 'sex' [female, male]", e.getMessage(),
        "the third record starts on line 5: the second spans lines 3 and 4");
    Dataset d = new CsvLoader(BadRowPolicy.SKIP, 1000, CsvFormat.DEFAULT, notes)
        .load("site.csv", new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
    assertEquals(2, d.rowCount());
    assertEquals(63, d.value(0, "age"), "a quoted number is a number");
    assertEquals(1, d.value(0, "sex"), "a label stands for its code");
    assertEquals(0, d.value(1, "sex"), "case is ignored");
  }

  @Test
  void semicolonsDecimalCommasAByteOrderMarkAndLatin1() throws Exception {
    byte[] body = "age;chol;sex\n63,5;233;m\u00e4nnlich\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    TextCells german = (c, t) -> t.equals("m\u00e4nnlich") ? 1 : SEX.code(c, t);
    CsvFormat latin1 = CsvFormat.of(";", ",", "ISO-8859-1");
    Dataset d = new CsvLoader(BadRowPolicy.FAIL, 10, latin1, german).load("site.csv", new ByteArrayInputStream(body));
    assertEquals(63.5, d.value(0, "age"), "a decimal comma");
    assertEquals(1, d.value(0, "sex"), "the label decoded from ISO-8859-1");
    byte[] utf8 = "age;chol\n1,5;2\n".getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[bom.length + utf8.length];
    System.arraycopy(bom, 0, withBom, 0, bom.length);
    System.arraycopy(utf8, 0, withBom, bom.length, utf8.length);
    Dataset b = load(CsvFormat.of(";", ",", "UTF-8"), withBom);
    assertEquals(List.of("age", "chol"), b.columns(), "the byte order mark is not part of the first column's name");
    DatasetException wrong = assertThrows(DatasetException.class, () -> load(CsvFormat.of(";", ",", "UTF-8"), body));
    assertEquals("site.csv:1: holds bytes that are not valid UTF-8 at or after this line (is the file in another encoding?)", wrong.getMessage(),
        "a small file is decoded in one buffer, so the error is found reading line 1");
    DatasetException thousands = assertThrows(DatasetException.class, () -> load(latin1, "a\n1.5\n".getBytes(StandardCharsets.ISO_8859_1)));
    assertEquals("site.csv:2 column 'a': '1.5' is not a number", thousands.getMessage(), "with a decimal comma a point is not guessed at");
  }

  @Test
  void aFormatIsCheckedWhenConfigured() {
    var e = assertThrows(IllegalArgumentException.class, () -> CsvFormat.of(":", ".", "UTF-8"));
    assertEquals("delimiter must be one of , ; tab |, got ':'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CsvFormat.of(",", ",", "UTF-8"));
    var enc = assertThrows(IllegalArgumentException.class, () -> CsvFormat.of(",", ".", "latin-99"));
    assertTrue(enc.getMessage().startsWith("encoding 'latin-99' is not a character set"), enc.getMessage());
  }

  @Test
  void unknownColumnIsNamed() {
    Dataset d = load(BadRowPolicy.FAIL, "a\n1\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.value(0, "age"));
    assertTrue(e.getMessage().contains("no column 'age'"), e.getMessage());
  }
}
