package org.consilium.node.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.CsvLoader;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.data.TextCells;

/** Loads a dataset from its source, CSV file or database, into the rows every computation reads. */
public final class DatasetLoader {
  private DatasetLoader() {}

  /** text maps a text cell to its code (the data dictionary's labels); throws DatasetException naming the row, or IllegalArgumentException. */
  public static Dataset load(String name, DataSource source, BadRowPolicy policy, long maxRows, TextCells text) {
    if (source instanceof DataSource.CsvFile f) {
      try (InputStream in = Files.newInputStream(f.path())) {
        return new CsvLoader(policy, maxRows, f.format(), text).load(f.path().getFileName().toString(), in);
      } catch (IOException e) {
        throw new IllegalArgumentException("dataset " + name + ": cannot read " + f.path() + ": " + e.getMessage());
      }
    }
    return DatabaseReader.read(name, (DataSource.Database) source, policy, maxRows, text);
  }
}
