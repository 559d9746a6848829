package org.consilium.analytics.data;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Map;

/**
 * How a site's CSV file is written: its field delimiter, decimal separator and text encoding
 * (a spreadsheet in a German locale writes "1,5" in ";"-separated files). A byte order mark is
 * always recognised and skipped; fields may be quoted ("a, b" with "" for a quote).
 */
public record CsvFormat(char delimiter, char decimal, Charset charset) {
  public static final CsvFormat DEFAULT = new CsvFormat(',', '.', StandardCharsets.UTF_8);

  public CsvFormat {
    if (decimal != '.' && decimal != ',') throw new IllegalArgumentException("decimal must be . or , got '" + decimal + "'");
    if (decimal == delimiter) throw new IllegalArgumentException("decimal '" + decimal + "' needs another delimiter than '" + delimiter + "'");
  }

  private static final Map<String, Character> DELIMITERS = Map.of(",", ',', ";", ';', "tab", '\t', "|", '|');

  /** From configuration words: delimiter one of , ; tab |, decimal . or , and a charset name; throws naming what is wrong. */
  public static CsvFormat of(String delimiter, String decimal, String encoding) {
    Character d = DELIMITERS.get(delimiter);
    if (d == null) throw new IllegalArgumentException("delimiter must be one of , ; tab |, got '" + delimiter + "'");
    // A word of one character; the record checks which ones are allowed.
    if (decimal.length() != 1) throw new IllegalArgumentException("decimal must be . or , got '" + decimal + "'");
    try {
      return new CsvFormat(d, decimal.charAt(0), Charset.forName(encoding));
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      throw new IllegalArgumentException("encoding '" + encoding + "' is not a character set this Java knows (e.g. UTF-8, ISO-8859-1, windows-1252)");
    }
  }
}
