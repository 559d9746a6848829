package org.consilium.analytics.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.io.input.BOMInputStream;

/**
 * Reads a delimited text file with a header row into a {@link Dataset}, through Apache Commons
 * CSV (RFC 4180 quoting, the site's delimiter and encoding, a byte order mark skipped). Every
 * cell must be a number, empty (missing), or a text that {@link TextCells} maps to a code (a
 * categorical label of the data dictionary). Bytes that are not valid in the declared encoding
 * stop the load, naming the line. Bad rows either stop the load or are skipped and reported,
 * per {@link BadRowPolicy}; a header problem always stops it.
 */
public final class CsvLoader {
  private final BadRowPolicy policy;
  private final long maxRows;
  private final CsvFormat format;
  private final TextCells text;

  /** Comma-separated UTF-8, numbers only. */
  public CsvLoader(BadRowPolicy policy, long maxRows) {
    this(policy, maxRows, CsvFormat.DEFAULT, TextCells.NONE);
  }

  public CsvLoader(BadRowPolicy policy, long maxRows, CsvFormat format, TextCells text) {
    this.policy = policy;
    this.maxRows = maxRows;
    this.format = format;
    this.text = text;
  }

  public Dataset load(String sourceName, InputStream bytes) {
    CSVFormat csv = CSVFormat.RFC4180.builder().setDelimiter(format.delimiter()).setIgnoreEmptyLines(false).setTrim(true).get();
    // Strict decoding: a file in another encoding than declared fails loudly instead of turning into '?'.
    var decoder = format.charset().newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    long line = 1; // where the record being read starts (a quoted field may span lines)
    try (InputStream in = BOMInputStream.builder().setInputStream(bytes).get();
        Reader reader = new InputStreamReader(in, decoder);
        CSVParser parser = CSVParser.builder().setReader(reader).setFormat(csv).get()) {
      Iterator<CSVRecord> records = parser.iterator();
      if (!records.hasNext()) throw new DatasetException(new RowError(sourceName, 1, null, "file is empty, expected a header row"));
      String[] names = header(sourceName, records.next());
      List<double[]> rows = new ArrayList<>();
      List<RowError> skipped = new ArrayList<>();
      while (true) {
        line = parser.getCurrentLineNumber() + 1;
        if (!records.hasNext()) break;
        CSVRecord record = records.next();
        if (record.size() == 1 && record.get(0).isBlank()) continue; // a blank line
        if (rows.size() >= maxRows) {
          throw new DatasetException(new RowError(sourceName, line, null, "more than the configured maximum of " + maxRows + " rows"));
        }
        try {
          rows.add(parseRow(sourceName, line, names, record));
        } catch (DatasetException e) {
          if (policy == BadRowPolicy.FAIL) throw e;
          skipped.add(e.error());
        }
      }
      return Dataset.ofRows(sourceName, List.of(names), rows, skipped);
    } catch (UncheckedIOException e) {
      throw unreadable(sourceName, line, e.getCause());
    } catch (IOException e) {
      throw unreadable(sourceName, line, e);
    }
  }

  /** Text is decoded a buffer ahead of parsing: a bad byte is at or after the line being read. */
  private DatasetException unreadable(String source, long line, IOException e) {
    return new DatasetException(new RowError(source, line, null, e instanceof CharacterCodingException
        ? "holds bytes that are not valid " + format.charset().name() + " at or after this line (is the file in another encoding?)"
        : "cannot be read: " + e.getMessage()));
  }

  private static String[] header(String source, CSVRecord header) {
    String[] names = header.values();
    Set<String> unique = new HashSet<>();
    for (int i = 0; i < names.length; i++) {
      names[i] = names[i].strip();
      if (names[i].isEmpty()) throw new DatasetException(new RowError(source, 1, null, "header column " + (i + 1) + " has no name"));
      if (!unique.add(names[i])) throw new DatasetException(new RowError(source, 1, names[i], "duplicate column name"));
    }
    return names;
  }

  private double[] parseRow(String source, long lineNo, String[] names, CSVRecord record) {
    if (record.size() != names.length) {
      throw new DatasetException(new RowError(source, lineNo, null, "has " + record.size() + " fields, the header has " + names.length));
    }
    double[] row = new double[names.length];
    for (int c = 0; c < names.length; c++) row[c] = Cell.read(source, lineNo, names[c], record.get(c), format.decimal(), text);
    return row;
  }
}
