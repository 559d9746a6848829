package org.consilium.analytics.data;

/**
 * What a cell that is not a number stands for: in Consilium, a categorical column's label in the
 * data dictionary ("female" for the code 0 of sex). Anything else is an error naming the cell.
 */
@FunctionalInterface
public interface TextCells {
  /** The code of a text cell of a column; throws IllegalArgumentException saying what is accepted. */
  double code(String column, String text);

  /** Numbers only: every text cell is an error. */
  TextCells NONE = (column, text) -> {
    throw new IllegalArgumentException("'" + text + "' is not a number");
  };
}
