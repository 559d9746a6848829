package org.consilium.node.data;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.consilium.analytics.data.BadRowPolicy;
import org.consilium.analytics.data.Cell;
import org.consilium.analytics.data.RowError;
import org.consilium.analytics.data.Dataset;
import org.consilium.analytics.data.DatasetException;
import org.consilium.analytics.data.TextCells;

/**
 * Reads a dataset from a database over JDBC, in a read-only transaction (PostgreSQL refuses any
 * write in it, whatever the query says). Numeric and boolean columns become numbers, NULL is
 * missing, a text column's values are numbers or the data dictionary's labels; a column of
 * another type (a date, say) stops the load naming it. Errors name the row (1 = the first).
 */
final class DatabaseReader {

  private DatabaseReader() {}

  static Dataset read(String name, DataSource.Database db, BadRowPolicy policy, long maxRows, TextCells text) {
    String source = name + " (" + db.describe() + ")";
    Properties props = new Properties();
    if (db.user() != null) props.setProperty("user", db.user());
    if (db.password() != null) props.setProperty("password", db.password().value());
    props.setProperty("ApplicationName", "consilium-node");
    props.setProperty("connectTimeout", "15");
    try (Connection c = DriverManager.getConnection(db.url(), props)) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      try (Statement st = c.createStatement()) {
        st.setFetchSize(10_000); // stream the rows instead of holding the whole result twice
        try (ResultSet rs = st.executeQuery(db.statement())) {
          Dataset d = rows(source, rs, policy, maxRows, text);
          c.rollback();
          return d;
        }
      }
    } catch (SQLException e) {
      throw new DatasetException(new RowError(source, 0, null, "the database refused: " + e.getMessage()));
    }
  }

  private static Dataset rows(String source, ResultSet rs, BadRowPolicy policy, long maxRows, TextCells text) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    int n = meta.getColumnCount();
    String[] names = new String[n];
    int[] types = new int[n];
    for (int i = 0; i < n; i++) {
      names[i] = meta.getColumnLabel(i + 1);
      types[i] = meta.getColumnType(i + 1);
      if (!numeric(types[i]) && !textual(types[i]) && types[i] != Types.BOOLEAN && types[i] != Types.BIT) {
        throw new DatasetException(new RowError(source, 0, names[i], "has SQL type " + meta.getColumnTypeName(i + 1)
            + "; select numbers, booleans or text labels (e.g. EXTRACT(YEAR FROM the_date))"));
      }
    }
    List<double[]> rows = new ArrayList<>();
    List<RowError> skipped = new ArrayList<>();
    long row = 0;
    while (rs.next()) {
      row++;
      if (rows.size() >= maxRows) throw new DatasetException(new RowError(source, row, null, "more than the configured maximum of " + maxRows + " rows"));
      try {
        rows.add(values(source, row, rs, names, types, text));
      } catch (DatasetException e) {
        if (policy == BadRowPolicy.FAIL) throw e;
        skipped.add(e.error());
      }
    }
    return Dataset.ofRows(source, List.of(names), rows, skipped);
  }

  private static double[] values(String source, long row, ResultSet rs, String[] names, int[] types, TextCells text) throws SQLException {
    double[] out = new double[names.length];
    for (int c = 0; c < names.length; c++) {
      if (numeric(types[c])) {
        double v = rs.getDouble(c + 1);
        out[c] = rs.wasNull() ? Double.NaN : v;
      } else if (types[c] == Types.BOOLEAN || types[c] == Types.BIT) {
        boolean v = rs.getBoolean(c + 1);
        out[c] = rs.wasNull() ? Double.NaN : v ? 1 : 0;
      } else {
        out[c] = Cell.read(source, row, names[c], rs.getString(c + 1), '.', text);
      }
      if (Double.isInfinite(out[c])) throw new DatasetException(new RowError(source, row, names[c], "is infinite"));
    }
    return out;
  }

  private static boolean numeric(int t) {
    return t == Types.INTEGER || t == Types.BIGINT || t == Types.SMALLINT || t == Types.TINYINT || t == Types.NUMERIC
        || t == Types.DECIMAL || t == Types.DOUBLE || t == Types.FLOAT || t == Types.REAL;
  }

  private static boolean textual(int t) {
    return t == Types.CHAR || t == Types.VARCHAR || t == Types.LONGVARCHAR || t == Types.NCHAR || t == Types.NVARCHAR;
  }
}
