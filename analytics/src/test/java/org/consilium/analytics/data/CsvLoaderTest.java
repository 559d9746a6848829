package org.consilium.analytics.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import org.junit.jupiter.api.Test;

class CsvLoaderTest {
  private static Dataset load(BadRowPolicy p, String csv) {
    return new CsvLoader(p, 1000).load("site.csv", new StringReader(csv));
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
    assertEquals(new CsvError("site.csv", 3, "chol", "'abc' is not a number"), e.error());
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
  void quotedFieldsAreRefusedRatherThanGuessed() {
    DatasetException e = assertThrows(DatasetException.class, () -> load(BadRowPolicy.FAIL, "a\n\"1\"\n"));
    assertTrue(e.getMessage().contains("quoted"), e.getMessage());
  }

  @Test
  void unknownColumnIsNamed() {
    Dataset d = load(BadRowPolicy.FAIL, "a\n1\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.value(0, "age"));
    assertTrue(e.getMessage().contains("no column 'age'"), e.getMessage());
  }
}
