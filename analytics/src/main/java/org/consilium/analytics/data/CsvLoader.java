package org.consilium.analytics.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a comma-separated file with a header row into a {@link Dataset}. Every cell must be a
 * number or empty (missing). Quoted fields are not supported: a quote is reported as an error
 * rather than guessed at. Bad rows either stop the load or are skipped and reported, per
 * {@link BadRowPolicy}; a header problem always stops it.
 */
public final class CsvLoader {
  /** Plain decimal numbers only: no hex, no NaN/Infinity, no type suffixes that parseDouble allows. */
  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private final BadRowPolicy policy;
  private final long maxRows;

  public CsvLoader(BadRowPolicy policy, long maxRows) {
    this.policy = policy;
    this.maxRows = maxRows;
  }

  public Dataset load(String sourceName, Reader in) {
    try (BufferedReader r = new BufferedReader(in)) {
      String header = r.readLine();
      if (header == null || header.isBlank()) throw new DatasetException(new CsvError(sourceName, 1, null, "file is empty, expected a header row"));
      String[] names = split(header);
      Set<String> unique = new HashSet<>();
      for (int i = 0; i < names.length; i++) {
        names[i] = names[i].strip();
        if (names[i].isEmpty()) throw new DatasetException(new CsvError(sourceName, 1, null, "header column " + (i + 1) + " has no name"));
        if (!unique.add(names[i])) throw new DatasetException(new CsvError(sourceName, 1, names[i], "duplicate column name"));
      }
      List<double[]> rows = new ArrayList<>();
      List<CsvError> skipped = new ArrayList<>();
      String line;
      long lineNo = 1;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) continue;
        if (rows.size() >= maxRows) {
          throw new DatasetException(new CsvError(sourceName, lineNo, null, "more than the configured maximum of " + maxRows + " rows"));
        }
        try {
          rows.add(parseRow(sourceName, lineNo, names, line));
        } catch (DatasetException e) {
          if (policy == BadRowPolicy.FAIL) throw e;
          skipped.add(e.error());
        }
      }
      double[][] byColumn = new double[names.length][rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        double[] row = rows.get(i);
        for (int c = 0; c < names.length; c++) byColumn[c][i] = row[c];
      }
      return new Dataset(sourceName, List.of(names), byColumn, rows.size(), skipped);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + sourceName, e);
    }
  }

  private static double[] parseRow(String source, long lineNo, String[] names, String line) {
    if (line.indexOf('"') >= 0) throw new DatasetException(new CsvError(source, lineNo, null, "quoted fields are not supported"));
    String[] cells = split(line);
    if (cells.length != names.length) {
      throw new DatasetException(new CsvError(source, lineNo, null,
          "has " + cells.length + " fields, the header has " + names.length));
    }
    double[] row = new double[names.length];
    for (int c = 0; c < names.length; c++) {
      String cell = cells[c].strip();
      if (cell.isEmpty()) {
        row[c] = Double.NaN;
        continue;
      }
      if (!NUMBER.matcher(cell).matches()) {
        throw new DatasetException(new CsvError(source, lineNo, names[c], "'" + cell + "' is not a number"));
      }
      row[c] = Double.parseDouble(cell);
      if (!Double.isFinite(row[c])) {
        throw new DatasetException(new CsvError(source, lineNo, names[c], "'" + cell + "' is out of range"));
      }
    }
    return row;
  }

  private static String[] split(String line) {
    return line.split(",", -1);
  }
}
