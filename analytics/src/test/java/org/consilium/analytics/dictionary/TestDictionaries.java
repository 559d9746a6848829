package org.consilium.analytics.dictionary;

/** Small data dictionaries for the tests, written as a consortium would write them. */
public final class TestDictionaries {
  public static final String YAML = """
      version: 1
      datasets:
        heart:
          description: test data
          columns:
            age: {type: numeric, unit: years, lower: 0, upper: 100, description: Age}
            sex: {type: categorical, codes: {0: female, 1: male}}
            num: {type: categorical, codes: {0: none, 1: one, 2: two, 3: three, 4: four, 5: five}}
            trestbps: {type: numeric, unit: mm Hg, lower: 80, upper: 200}
            chol: {type: numeric, unit: mg/dl, lower: 0, upper: 600}
            x: {type: numeric, lower: -5, upper: 5}
            y: {type: categorical, codes: {0: negative, 1: positive}}
            g: {type: categorical, codes: {0: a, 1: b}}
            split: {type: categorical, codes: {0: train, 1: test}}
      """;

  private TestDictionaries() {}

  public static DataDictionary dictionary() {
    return DataDictionary.parse(YAML, "test dictionary");
  }

  public static DatasetDictionary heart() {
    return dictionary().dataset("heart");
  }
}
