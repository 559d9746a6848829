package org.consilium.analytics.data;

/** What a node does with a row that cannot be parsed. */
public enum BadRowPolicy {
  /** Refuse to load the dataset at all; the first error is reported. */
  FAIL,
  /** Leave the row out, keep a report of every skipped row. */
  SKIP
}
