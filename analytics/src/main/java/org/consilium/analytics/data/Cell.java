package org.consilium.analytics.data;

import java.util.regex.Pattern;

/**
 * One text cell of a dataset source (a CSV field, a database text column) read as a number:
 * empty is missing (NaN), a plain decimal number is itself, anything else is what
 * {@link TextCells} says it stands for (a categorical label), or an error naming the cell.
 */
public final class Cell {
  /** Plain decimal numbers only: no hex, no NaN/Infinity, no type suffixes that parseDouble allows. */
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private Cell() {}

  /**
   * The value of a cell; decimal is '.' or ',' (then "1,5" is one and a half and "1.5" is not a
   * number: it could be a thousands separator). Throws DatasetException naming source, row and column.
   */
  public static double read(String source, long row, String column, String raw, char decimal, TextCells text) {
    String cell = raw == null ? "" : raw.strip();
    if (cell.isEmpty()) return Double.NaN;
    String number = decimal != ',' ? cell : cell.indexOf('.') >= 0 ? "" : cell.replace(',', '.');
    if (NUMBER.matcher(number).matches()) {
      double v = Double.parseDouble(number);
      if (!Double.isFinite(v)) throw new DatasetException(new RowError(source, row, column, "'" + cell + "' is out of range"));
      return v;
    }
    try {
      return text.code(column, cell);
    } catch (IllegalArgumentException e) {
      throw new DatasetException(new RowError(source, row, column, e.getMessage()));
    }
  }
}
