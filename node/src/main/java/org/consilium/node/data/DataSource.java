package org.consilium.node.data;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.consilium.analytics.data.CsvFormat;

/** Where a dataset's rows come from: a CSV file, or a table or read-only query of a database. */
public sealed interface DataSource permits DataSource.CsvFile, DataSource.Database {
  /** What the logs and errors call it (never a password). */
  String describe();

  record CsvFile(Path path, CsvFormat format) implements DataSource {
    @Override
    public String describe() {
      return path.toString();
    }
  }

  /**
   * A JDBC database (PostgreSQL's driver is bundled): either a table (or view), read whole, or a
   * query; both run in a read-only transaction, so the node can never change the hospital's data.
   */
  record Database(String url, String table, String query, String user, Secret password) implements DataSource {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    public Database {
      if (url == null || !url.startsWith("jdbc:")) throw new IllegalArgumentException("jdbc_url must start with jdbc:, got '" + url + "'");
      if ((table == null) == (query == null)) throw new IllegalArgumentException("declare either a table or a query, not both and not neither");
      if (table != null && !TABLE.matcher(table).matches()) {
        throw new IllegalArgumentException("table must be a name (optionally schema.name) of letters, digits and _, got '" + table + "'");
      }
      if (query != null && !query.strip().toLowerCase(java.util.Locale.ROOT).matches("(select|with)\\b[\\s\\S]*")) {
        throw new IllegalArgumentException("query must be a SELECT (or WITH ... SELECT) statement");
      }
    }

    /** The statement the node runs: the table's rows, or the query. */
    String statement() {
      if (query != null) return query;
      StringBuilder quoted = new StringBuilder();
      for (String part : table.split("\\.")) quoted.append(quoted.length() == 0 ? "" : ".").append('"').append(part).append('"');
      return "SELECT * FROM " + quoted;
    }

    @Override
    public String describe() {
      // The URL without its query part: a URL may carry ?password=... and must not reach a log.
      int q = url.indexOf('?');
      return (q < 0 ? url : url.substring(0, q)) + (table != null ? " table " + table : " query");
    }
  }

  /** A password, read from a file or an environment variable; never printed. */
  record Secret(String value) {
    @Override
    public String toString() {
      return "Secret[hidden]";
    }
  }
}
