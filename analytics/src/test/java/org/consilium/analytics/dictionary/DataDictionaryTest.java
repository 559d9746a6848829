package org.consilium.analytics.dictionary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.stats.InvalidSpecException;
import org.junit.jupiter.api.Test;

class DataDictionaryTest {
  private static Dataset site(Map<String, double[]> columns) {
    return Dataset.ofColumns("site.csv", new LinkedHashMap<>(columns));
  }

  private static Map<String, double[]> fullHeart(int rows) {
    Map<String, double[]> c = new LinkedHashMap<>();
    for (String name : TestDictionaries.heart().columns().keySet()) c.put(name, new double[rows]);
    return c;
  }

  @Test
  void columnsCarryTypesUnitsBoundsAndLabels() {
    DatasetDictionary d = TestDictionaries.heart();
    ColumnDefinition sex = d.columns().get("sex");
    assertTrue(sex.categorical());
    assertEquals("female", sex.label(0));
    assertEquals("1", TestDictionaries.heart().columns().get("age").label(1), "a numeric value is its own label");
    assertEquals(0, sex.lower());
    assertEquals(1, sex.upper(), "a categorical column's bounds are its smallest and largest code");
    assertEquals("mm Hg", d.columns().get("trestbps").unit());
    assertArrayEquals(new double[] {80, 200}, d.bounds("trestbps", 0, 0, "f"), "no bounds given: the dictionary's");
    assertArrayEquals(new double[] {90, 150}, d.bounds("trestbps", 90, 150, "f"), "narrower ones are the job's to choose");
    assertEquals("f", assertThrows(InvalidSpecException.class, () -> d.bounds("trestbps", 50, 150, "f")).field());
  }

  @Test
  void aSitesDataIsCheckedAndCutToTheDeclaredColumns() {
    Map<String, double[]> cols = fullHeart(3);
    cols.put("ssn", new double[] {1, 2, 3});
    cols.put("sex", new double[] {0, 1, 0});
    Dataset conformed = TestDictionaries.dictionary().conform("heart", site(cols));
    assertEquals(List.copyOf(TestDictionaries.heart().columns().keySet()), conformed.columns(),
        "the undeclared column 'ssn' is gone: no job can name it");
    assertTrue(conformed.indexOf("ssn").isEmpty());

    Map<String, double[]> missing = fullHeart(2);
    missing.remove("chol");
    DictionaryException e = assertThrows(DictionaryException.class, () -> TestDictionaries.dictionary().conform("heart", site(missing)));
    assertTrue(e.getMessage().contains("column 'chol' of the data dictionary is missing from site.csv"), e.getMessage());

    Map<String, double[]> badCode = fullHeart(3);
    badCode.put("sex", new double[] {0, 2, Double.NaN});
    e = assertThrows(DictionaryException.class, () -> TestDictionaries.dictionary().conform("heart", site(badCode)));
    assertTrue(e.getMessage().contains("site.csv row 2: column 'sex' has 2, not one of the declared codes [0, 1]"), e.getMessage());

    e = assertThrows(DictionaryException.class, () -> TestDictionaries.dictionary().conform("other", site(fullHeart(1))));
    assertTrue(e.getMessage().contains("dataset 'other' is not in the data dictionary"), e.getMessage());
  }

  @Test
  void valuesOutsideTheBoundsAreCountedNotRefused() {
    Map<String, double[]> cols = fullHeart(3);
    cols.put("trestbps", new double[] {0, 120, 250});
    cols.put("age", new double[] {40, 50, 60});
    assertEquals(Map.of("trestbps", 2, "chol", 0).get("trestbps"),
        TestDictionaries.heart().outOfBounds(site(cols)).get("trestbps"), "0 and 250 lie outside [80, 200] and will be clipped");
  }

  @Test
  void malformedDictionariesAreRefusedNamingTheDatasetAndColumn() {
    assertMessage("version: 1\ndatasets:\n  d:\n    columns:\n      a: {type: text}\n", "dataset 'd'", "column 'a'", "numeric or categorical");
    assertMessage("version: 1\ndatasets:\n  d:\n    columns:\n      a: {type: numeric, lower: 5, upper: 1}\n", "column 'a'", "lower < upper");
    assertMessage("version: 1\ndatasets:\n  d:\n    columns:\n      a: {type: categorical, codes: {0: x}}\n", "at least 2 codes");
    assertMessage("version: 1\ndatasets:\n  d:\n    columns:\n      a: {type: numeric, lower: 0, upper: 1, colour: red}\n", "unknown key 'colour'");
    assertMessage("datasets: {}\n", "'version'");
    assertMessage("version: 1\ndatasets: [1, 2]\n", "datasets", "mapping");
  }

  @Test
  void theDigestIdentifiesTheVersion() {
    DataDictionary a = TestDictionaries.dictionary();
    DataDictionary b = DataDictionary.parse(TestDictionaries.YAML.replace("test data", "test data, revised"), "b");
    assertEquals(a.digest(), TestDictionaries.dictionary().digest());
    assertNotEquals(a.digest(), b.digest());
  }

  private static void assertMessage(String yaml, String... parts) {
    DictionaryException e = assertThrows(DictionaryException.class, () -> DataDictionary.parse(yaml, "dict.yaml"));
    for (String p : parts) assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("dict.yaml"), "names the file: " + e.getMessage());
  }
}
